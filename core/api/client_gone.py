"""A client that leaves in the middle of a streamed answer (``/events`` catching up) is normal: a desk closes, a
network drops. FastAPI's SSE keep-alive task can then meet the closed stream and raise ``anyio.BrokenResourceError``
out of the request (fastapi/fastapi discussion 15725; a fix was proposed and closed), which the server logged as an
unexpected error with a traceback. Here it ends the request quietly, but only once the client is known to have
left (its disconnect received, or a send to it failed); anything else still reaches the error handlers, as it was
raised."""

from __future__ import annotations

import logging

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

_GONE = (anyio.BrokenResourceError, anyio.ClosedResourceError)


class ClientGone:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        left = False

        async def receiving() -> Message:
            nonlocal left
            message = await receive()
            left = left or message["type"] == "http.disconnect"
            return message

        async def sending(message: Message) -> None:
            nonlocal left
            try:
                await send(message)
            except OSError:  # the server's word for a client that is gone (uvicorn's ClientDisconnected)
                left = True
                raise

        try:
            await self.app(scope, receiving, sending)
        except BaseException as err:
            if not (left and _only_gone(err)):
                raise
            log.debug("%s %s: the client left before the answer ended (%r)", scope["method"], scope["path"], err)


def _only_gone(err: BaseException) -> bool:
    """Whether ``err`` (or every exception of its group) is a stream closed under a request whose client left."""
    if isinstance(err, BaseExceptionGroup):
        _, rest = err.split(_GONE)
        return rest is None
    return isinstance(err, _GONE)
