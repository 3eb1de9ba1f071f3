"""OpenTelemetry traces: one trace from a REST call through the Temporal client, the workflow and its activities.

Only when ``ORDER_DESK_OTLP_ENDPOINT`` is set (or a test hands in its own span processor): otherwise no tracer
provider exists, no interceptor or instrumentation is installed, and tracing costs nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from temporalio.contrib.opentelemetry import TracingInterceptor

TRACER = "order-desk"
NOT_TRACED = "metrics,healthz,readyz"  # what scrapers and orchestrators poll: noise in every trace search


def traces_url(endpoint: str) -> str:
    """``http://collector:4318`` means its standard traces path; a URL with a path is taken as it is."""
    return endpoint if urlsplit(endpoint).path.strip("/") else endpoint.rstrip("/") + "/v1/traces"


def tracer_provider(service_name: str, endpoint: str | None, processor: SpanProcessor | None = None
                    ) -> TracerProvider | None:
    if processor is None:
        if not endpoint:
            return None
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(endpoint)))
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(processor)
    return provider


def temporal_interceptor(provider: TracerProvider) -> TracingInterceptor:
    """On the client: spans for starting orders and sending decisions; a worker made on that client takes it too,
    with spans for each workflow task and activity, all joined through Temporal's headers."""
    return TracingInterceptor(provider.get_tracer(TRACER))


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # Without ASGI's receive/send sub-spans: three per request that say nothing the request's own span does not.
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=NOT_TRACED,
                                       exclude_spans=["receive", "send"])
