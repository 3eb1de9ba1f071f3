"""A hard cap on request bodies, enforced before any route or parser sees a byte.

It counts the bytes that actually arrive, so a chunked body without ``Content-Length`` (or with a
lying one) is cut off too. Bodies here are tiny JSON documents, so the middleware reads the whole
body (at most the cap) and hands the application a replay of it.

Before answering 413 it reads and drops the rest of a body of reasonable size: a server that closes
a connection with unread bytes makes the kernel reset it, and the client then sees a broken
connection instead of the 413. The 413 is an error body like every other, with ``code`` ``body_too_large``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.api.errors import error_response
from core.errors import ErrorCode

MAX_BODY_BYTES = 64 * 1024
DRAIN_BYTES = 1024 * 1024


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared > self.max_bytes:
            if declared <= DRAIN_BYTES:
                await _drain(receive)
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                if message.get("more_body", False):
                    await _drain(receive)
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes} bytes"
        await error_response(413, ErrorCode.BODY_TOO_LARGE, detail)(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0  # malformed: the servers reject it; otherwise the counting below decides
    return 0


async def _drain(receive: Receive) -> None:
    """Read and drop what is left of the body, up to ``DRAIN_BYTES``."""
    budget = DRAIN_BYTES
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        budget -= len(message.get("body", b""))


def _replay(body: bytes, receive: Receive) -> Receive:
    """The buffered body once, then whatever the client sends next (a disconnect)."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
