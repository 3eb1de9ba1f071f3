"""How the desk reaches a team server: the URL a person typed, made exact, and an httpx client that verifies the
server's certificate (the system's store, or ``ORDER_DESK_SERVER_CA`` for a private CA) and sends the token."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # imported where a client is made: a desk on the embedded default never loads httpx
    import httpx

TIMEOUT = 20.0  # seconds; 5 to connect. Above serve's wait for a decision (15 s) before it answers no_worker
CONNECT_TIMEOUT = 5.0
# serve (uvicorn) closes a keep-alive connection after 5 idle seconds; one reused at that moment fails unanswered.
KEEPALIVE_EXPIRY = 2.0


class BadServerUrl(ValueError):
    """The URL cannot name a team server, or would send the token in clear over a network."""


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_url(text: str) -> str:
    """``server.example:8000`` -> ``https://server.example:8000``: scheme and host, no path, no trailing slash.

    Plain ``http://`` is accepted for this machine only (``localhost``, ``127.0.0.1``, ``::1``): anywhere else the
    personal token would cross the network readable by anyone on the way."""
    text = text.strip()
    if not text:
        raise BadServerUrl("enter the server's address, e.g. https://orders.example.com:8000")
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadServerUrl(f"{text} is not an http:// or https:// address")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise BadServerUrl(f"{text}: give the server's address only, no user, query or fragment")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as err:
        raise BadServerUrl(f"{text}: {err}") from err
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise BadServerUrl(f"{text}: use https:// — over plain http:// your token would travel readable by anyone "
                           f"on the network")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def tls_context(ca: Path | None) -> ssl.SSLContext:
    """The system's trusted certificates, or only ``ca`` (a private CA's certificate, PEM) when given."""
    if ca is None:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=str(ca))


def new_client(url: str, token: str, ca: Path | None = None) -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, verify=tls_context(ca),
                             timeout=httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT),
                             limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY), follow_redirects=False)
