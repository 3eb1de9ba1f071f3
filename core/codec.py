"""Optional payload encryption: order contents stay unreadable in Temporal's database and Web UI.

A payload codec (AES-256-GCM) applied to every payload the client sends or receives, so the worker and the faces,
which share the keys, see plain models while Temporal stores ciphertext. Failure messages (which quote items)
are encoded into payloads too (``temporal_client.data_converter``).

Keys are 32 random bytes (``order-desk keys new``), never passphrases, and each is stretched for its use with
HKDF. Several keys can be held: the first encrypts, every one decrypts, so keys rotate without stopping orders in
flight (docs/DEPLOY.md). Each payload names its key by an id derived from the key (never the key itself); a
payload under a key this process lacks, or with no encryption at all, is refused with a message that says which.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from collections.abc import Sequence

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

log = logging.getLogger(__name__)

ENCODING = b"binary/encrypted"
REFUSED = b"binary/refused-unencrypted"  # what an unencrypted payload decodes to: no converter reads it
KEY_BYTES = 32
_NONCE = 12
_INFO_KEY = b"order-desk payload encryption v2"
_INFO_ID = b"order-desk payload key id v2"


class KeyFormatError(ValueError):
    """A configured key is not 32 random bytes in base64; the message says how to make one."""


class PayloadKeyError(ValueError):
    """A payload this process cannot decrypt: under a key it does not hold, or not encrypted at all."""


def new_key() -> str:
    """A fresh key: 256 random bits, base64url, as ``order-desk keys new`` prints it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def parse_key(text: str) -> bytes:
    """The 32 bytes of a key, or ``KeyFormatError``: a passphrase or a short value is refused, not stretched.
    Base64url as ``order-desk keys new`` prints it, or standard base64 as ``openssl rand -base64 32`` does."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES or base64.b64encode(raw).decode().rstrip("=") != cleaned.rstrip("="):
        raise KeyFormatError(
            "a payload encryption key must be 32 random bytes in base64 (44 characters), not a passphrase; "
            "make one with `order-desk keys new`")
    return raw


def _derive(key: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise KeyFormatError("at least one payload encryption key is needed")
        self._ciphers: dict[bytes, AESGCM] = {}
        for text in keys:
            key = parse_key(text)
            key_id = _derive(key, _INFO_ID, 8).hex().encode()
            self._ciphers.setdefault(key_id, AESGCM(_derive(key, _INFO_KEY, KEY_BYTES)))
        self.key_id = next(iter(self._ciphers))  # the first key encrypts
        self._reported: set[bytes] = set()

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self._ciphers[self.key_id]
        encoded = []
        for payload in payloads:
            nonce = os.urandom(_NONCE)
            encoded.append(Payload(metadata={"encoding": ENCODING, "encryption-key-id": self.key_id},
                                   data=nonce + cipher.encrypt(nonce, payload.SerializeToString(), None)))
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode(payload) for payload in payloads]

    def _decode(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding", b"") != ENCODING:
            # With encryption on, nobody may slip plain contents in (a signal sent with the Temporal CLI or Web
            # UI). Raising here would fail the whole workflow task, again at every retry, and so wedge the order;
            # instead the payload becomes one no converter reads: that signal is dropped (the SDK logs it), a
            # query or an Update with it fails, and the order goes on.
            self._report(b"", "a payload that is not encrypted was refused: payload encryption is on "
                              "(ORDER_DESK_PAYLOAD_ENCRYPTION_KEY)")
            return Payload(metadata={"encoding": REFUSED})
        key_id = payload.metadata.get("encryption-key-id", b"")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise self._refuse(key_id, (
                f"a payload was encrypted with key {key_id.decode(errors='replace')!r}, which this process does not "
                f"hold (it holds {', '.join(repr(k.decode()) for k in self._ciphers)}): give every process the same "
                f"ORDER_DESK_PAYLOAD_ENCRYPTION_KEY, and keep older keys in ORDER_DESK_PAYLOAD_OLD_KEYS"))
        data = payload.data
        return Payload.FromString(cipher.decrypt(data[:_NONCE], data[_NONCE:], None))

    def _refuse(self, key_id: bytes, message: str) -> PayloadKeyError:
        """A payload under a key this process lacks fails its task, to be retried (by this process once it has
        the key, or by another that has it): never dropped, since it is a real order's."""
        self._report(key_id, message)
        return PayloadKeyError(message)

    def _report(self, key_id: bytes, message: str) -> None:
        """Said once per key in the log, as an error: a worker that cannot decrypt retries its tasks for ever, and
        without this the only sign would be orders that never move."""
        if key_id not in self._reported:
            self._reported.add(key_id)
            log.error("%s", message)
