"""Optional payload encryption: order contents stay unreadable in Temporal's database and Web UI.

A payload codec (AES-256-GCM) applied to every payload the client sends or receives, so the
worker and the faces, which share one key, see plain models while Temporal stores ciphertext.
The key is derived from ``ORDER_DESK_PAYLOAD_ENCRYPTION_KEY``; its id (a hash, not the key) is
stored with each payload so a wrong key fails loudly instead of decoding garbage.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
_NONCE = 12


class EncryptionCodec(PayloadCodec):
    def __init__(self, secret: str) -> None:
        key = hashlib.sha256(b"order-desk payload key\0" + secret.encode()).digest()
        self._aes = AESGCM(key)
        self.key_id = hashlib.sha256(key).hexdigest()[:16].encode()

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(metadata={"encoding": ENCODING, "encryption-key-id": self.key_id},
                    data=self._encrypt(payload.SerializeToString()))
            for payload in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding", b"") != ENCODING:
                decoded.append(payload)  # written before encryption was turned on
                continue
            if payload.metadata.get("encryption-key-id") != self.key_id:
                raise ValueError("payload was encrypted with another key (ORDER_DESK_PAYLOAD_ENCRYPTION_KEY)")
            decoded.append(Payload.FromString(self._decrypt(payload.data)))
        return decoded

    def _encrypt(self, data: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aes.encrypt(nonce, data, None)

    def _decrypt(self, data: bytes) -> bytes:
        return self._aes.decrypt(data[:_NONCE], data[_NONCE:], None)
