"""A client that leaves in the middle of a streamed answer (``/events`` catching up, a CSV export) is normal: a desk
closes, a network drops. FastAPI's SSE keep-alive task can then meet the closed stream and raise
``anyio.BrokenResourceError`` out of the request (fastapi/fastapi discussion 15725; a fix was proposed and closed),
which the server logged as an unexpected error with a traceback. Here it ends the request quietly, once the answer
has begun; anything else still reaches the error handlers."""

from __future__ import annotations

import logging

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class ClientGone:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except* (anyio.BrokenResourceError, anyio.ClosedResourceError) as gone:
            if not started:
                raise
            log.debug("%s %s: the client left before the answer ended (%r)", scope["method"], scope["path"], gone)
