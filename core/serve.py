"""``order-desk serve``: the REST app under uvicorn.

uvicorn owns the signals: SIGTERM or SIGINT ends the HTTP server, then the app's lifespan stops the
worker and the embedded Temporal server. Problems the user can fix (an open bind without a token, a shared
token where roles are wanted, a bad tokens file or certificate, a taken port, Temporal not answering) end in
one line on stderr, never a traceback. With ``--ssl-certfile``/``--ssl-keyfile`` uvicorn serves HTTPS.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import ssl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import uvicorn
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from core.api import create_app
from core.ledger import Ledger
from core.settings import Settings
from core.users import AuthConfigError, Users

log = logging.getLogger("order_desk")

EXIT_USAGE = 2
EXIT_FAILURE = 1
GRACEFUL_SHUTDOWN_SECONDS = 3


def serve(settings: Settings, host: str, port: int, with_worker: bool, ssl_certfile: Path | None = None,
          ssl_keyfile: Path | None = None) -> int:
    if not 1 <= port <= 65535:  # before anything starts: getaddrinfo takes 99999 for 34463, only uvicorn's bind fails
        return fail("--port must be between 1 and 65535", EXIT_USAGE)
    refusal = tls_refusal(ssl_certfile, ssl_keyfile)
    if refusal:
        return fail(refusal, EXIT_USAGE)
    users = users_in_store(settings)  # a database that does not answer: one line, from the CLI (core.cli.main)
    refusal = bind_refusal(settings, host, users > 0) or shared_token_refusal(settings, users > 0)
    if refusal:
        return fail(refusal, EXIT_USAGE)
    try:
        app = create_app(settings, with_worker=with_worker, bind_host=host)
    except AuthConfigError as err:
        return fail(str(err), EXIT_USAGE)
    taken = port_problem(host, port)
    if taken:
        return fail(taken, EXIT_FAILURE)
    log.info("Auth: %s", _auth_mode(settings, users))
    config = uvicorn.Config(OneLineStartupFailure(app), host=host, port=port, lifespan="on",
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS, server_header=False,
                            ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                            log_config=None)  # the root handler (logs.configure) writes every line, JSON too
    server = ClosingServer(config, app)
    with _signals_end_quietly():
        try:
            server.run()
        except SystemExit:  # uvicorn's way to report a failed start-up, already logged in one line
            return EXIT_FAILURE
    return 0 if server.started else EXIT_FAILURE


def users_in_store(settings: Settings) -> int:
    """How many users the ledger's user store holds (revoked ones count: they keep the server closed)."""
    ledger = Ledger(settings.ledger_url)
    try:
        return len(Users(ledger.users).list())
    finally:
        ledger.close()


def bind_refusal(settings: Settings, host: str, users_exist: bool = False) -> str | None:
    """Why ``host`` may not be served, or None. Anything beyond loopback needs a token: users, or a shared one."""
    if (_is_loopback(host) or users_exist or settings.team or settings.api_token is not None
            or settings.tokens_file is not None):
        return None
    return (f"refusing to listen on {host or 'all interfaces'} without a token: add users (`order-desk users add`, "
            f"or ORDER_DESK_TEAM=true to start before the first), set ORDER_DESK_API_TOKEN or ORDER_DESK_TOKENS_FILE, "
            f"or keep the default --host 127.0.0.1")


def shared_token_refusal(settings: Settings, users_exist: bool) -> str | None:
    """One shared token cannot tell people apart, so it cannot carry roles or the four-eyes rule: refuse to pretend.
    (A tokens file beside it decides instead, with a warning: ``core.api.auth``.)"""
    if settings.api_token is None or settings.tokens_file is not None:
        return None
    wanted = [reason for reason, on in (
        ("the user store has users", users_exist), ("ORDER_DESK_TEAM is on", settings.team),
        ("ORDER_DESK_ROLES is set", bool(settings.roles)),
        ("ORDER_DESK_FOUR_EYES is set", settings.four_eyes and "four_eyes" in settings.model_fields_set)) if on]
    if not wanted:
        return None
    return (f"ORDER_DESK_API_TOKEN is one token shared by every caller, so it cannot say who acts, and roles and the "
            f"four-eyes rule cannot apply; but {' and '.join(wanted)}. Unset ORDER_DESK_API_TOKEN and give each person "
            f"their own token (`order-desk users add NAME --role clerk|manager|director`)")


def tls_refusal(certfile: Path | None, keyfile: Path | None) -> str | None:
    """Checked before anything starts, so a wrong path or a key that does not match fails in one line."""
    if certfile is None and keyfile is None:
        return None
    if certfile is None or keyfile is None:
        return "HTTPS needs both --ssl-certfile and --ssl-keyfile"
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
    except OSError as err:
        return f"cannot use the certificate {certfile} with the key {keyfile}: {err.strerror or err}"
    except ssl.SSLError as err:
        return f"cannot use the certificate {certfile} with the key {keyfile}: {err.reason or err}"
    return None


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


def _auth_mode(settings: Settings, users: int) -> str:
    if settings.tokens_file is not None:
        also = f" and the user store ({users} users)" if users else ""
        return f"per-user tokens from {settings.tokens_file}{also}"
    if users or settings.team:
        return f"personal tokens of the user store ({users} users)"
    if settings.api_token is not None:
        return "one shared bearer token (ORDER_DESK_API_TOKEN); the actor is 'api'"
    return "none (loopback only; callers name themselves with X-Actor)"


def fail(message: str, code: int) -> int:
    print(f"order-desk: {message}", file=sys.stderr)
    return code


class ClosingServer(uvicorn.Server):
    """Tells the app it is closing (``app.state.closing``) before uvicorn waits for open connections: an
    ``/events`` stream, which never ends by itself, then ends within a second, and its client reconnects
    elsewhere or later with ``Last-Event-ID``, instead of being cut at the graceful timeout with a traceback."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.app.state.closing = True
        await super().shutdown(sockets=sockets)


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
