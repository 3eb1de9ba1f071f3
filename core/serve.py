"""``order-desk serve``: the REST app under uvicorn.

uvicorn owns the signals: SIGTERM or SIGINT ends the HTTP server, then the app's lifespan stops the
worker and the embedded Temporal server. Problems the user can fix (an open bind without a token, a
bad tokens file, a taken port, Temporal not answering) end in one line on stderr, never a traceback.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from core.api import create_app
from core.api.auth import AuthConfigError
from core.settings import Settings

log = logging.getLogger("order_desk")

EXIT_USAGE = 2
EXIT_FAILURE = 1
GRACEFUL_SHUTDOWN_SECONDS = 3


def serve(settings: Settings, host: str, port: int, with_worker: bool) -> int:
    refusal = bind_refusal(settings, host)
    if refusal:
        return _fail(refusal, EXIT_USAGE)
    try:
        app = create_app(settings, with_worker=with_worker)
    except AuthConfigError as err:
        return _fail(str(err), EXIT_USAGE)
    taken = port_problem(host, port)
    if taken:
        return _fail(taken, EXIT_FAILURE)
    log.info("Auth: %s", _auth_mode(settings))
    config = uvicorn.Config(OneLineStartupFailure(app), host=host, port=port, lifespan="on",
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS, server_header=False)
    server = uvicorn.Server(config)
    with _signals_end_quietly():
        try:
            server.run()
        except SystemExit:  # uvicorn's way to report a failed start-up, already logged in one line
            return EXIT_FAILURE
    return 0 if server.started else EXIT_FAILURE


def bind_refusal(settings: Settings, host: str) -> str | None:
    """Why ``host`` may not be served, or None. Anything beyond loopback needs a token."""
    if _is_loopback(host) or settings.api_token is not None or settings.tokens_file is not None:
        return None
    return (f"refusing to listen on {host or 'all interfaces'} without a token: set ORDER_DESK_API_TOKEN "
            f"or ORDER_DESK_TOKENS_FILE, or keep the default --host 127.0.0.1")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def port_problem(host: str, port: int) -> str | None:
    """Checked before Temporal starts, so a taken port fails in a second, not after the whole start-up."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as err:
        return f"cannot listen on {host}:{port}: {err.strerror or err}"
    return None


def _auth_mode(settings: Settings) -> str:
    if settings.tokens_file is not None:
        return f"per-user tokens from {settings.tokens_file}"
    if settings.api_token is not None:
        return "one shared bearer token (ORDER_DESK_API_TOKEN)"
    return "none (loopback only; callers name themselves with X-Actor)"


def _fail(message: str, code: int) -> int:
    print(f"order-desk: {message}", file=sys.stderr)
    return code


class OneLineStartupFailure:
    """uvicorn logs the message of a failed lifespan start-up, and Starlette puts a whole traceback there;
    for a failure the app explained (``app.state.startup_error``) this logs the explanation instead."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_explained(message: Message) -> None:
            explained = self.app.state.startup_error
            if message["type"] == "lifespan.startup.failed" and explained:
                message = {**message, "message": f"order-desk: {explained}"}
            await send(message)

        await self.app(scope, receive, send_explained)


def _ignore(signum: int, frame: FrameType | None) -> None:
    """Installed under uvicorn's own handlers: see ``_signals_end_quietly``."""


@contextmanager
def _signals_end_quietly() -> Iterator[None]:
    """After a clean shutdown uvicorn re-raises the signal that stopped it to the handler it found at
    start: the default one would turn SIGINT into a KeyboardInterrupt traceback and SIGTERM into death
    by signal. With this no-op underneath, a signalled ``serve`` returns 0 like any clean exit."""
    previous = {signum: signal.signal(signum, _ignore) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
