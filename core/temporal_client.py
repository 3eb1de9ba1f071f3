"""How every process connects to Temporal: one place for TLS, API keys, the pydantic converter, and the process's
telemetry (its runtime and interceptors, when ``serve`` or a worker installed one: ``core.telemetry``)."""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.service import TLSConfig

from core import telemetry
from core.settings import Settings


def tls_config(settings: Settings) -> TLSConfig | None:
    if not (settings.temporal_tls or settings.temporal_tls_cert or settings.temporal_tls_ca):
        # None, not False: the SDK then turns TLS on by itself when given an API key (Temporal Cloud).
        return None
    return TLSConfig(
        server_root_ca_cert=settings.temporal_tls_ca.read_bytes() if settings.temporal_tls_ca else None,
        client_cert=settings.temporal_tls_cert.read_bytes() if settings.temporal_tls_cert else None,
        client_private_key=settings.temporal_tls_key.read_bytes() if settings.temporal_tls_key else None,
    )


def data_converter(settings: Settings) -> DataConverter:
    """The pydantic converter; with encryption on, the codec, and failures' messages and stack traces encoded
    into payloads too (they quote item texts)."""
    keys = settings.payload_keys
    if not keys:
        return pydantic_data_converter
    from core.codec import EncryptionCodec

    return dataclasses.replace(pydantic_data_converter, payload_codec=EncryptionCodec(keys),
                               failure_converter_class=DefaultFailureConverterWithEncodedAttributes)


async def connect(settings: Settings, address: str) -> Client:
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    installed = telemetry.current()
    return await Client.connect(
        address,
        namespace=settings.namespace,
        data_converter=data_converter(settings),
        tls=tls_config(settings),
        api_key=api_key,
        interceptors=installed.client_interceptors,
        runtime=installed.runtime,
    )
