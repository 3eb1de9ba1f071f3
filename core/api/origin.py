"""Only the server's own pages and non-browser clients may drive the API: CSRF and DNS rebinding are refused.

The API listens on loopback by default and the seed's demo needs no token, so any web page the user opens
could otherwise post to ``http://127.0.0.1:8000/orders/…/approve`` (CSRF), or reach it under its own host name
after re-pointing that name at 127.0.0.1 (DNS rebinding). Two checks, before any route runs:

- the ``Host`` must be a name the server answers to: loopback names, the address it was bound to, and
  ``ORDER_DESK_ALLOWED_HOSTS``; bound to every interface without that list, any host (the token guards it).
  Otherwise 400 ``unknown_host``.
- a state-changing request (not GET, HEAD or OPTIONS) that a browser marks as coming from another origin
  (``Origin`` other than this server's own, ``Origin: null``, or ``Sec-Fetch-Site: cross-site``) gets 403
  ``cross_origin``. curl and other programs send no ``Origin``: the seed's curl demo works verbatim.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from core.api.errors import error_response
from core.errors import ErrorCode

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::"})


def allowed_hosts(bind_host: str | None, configured: Iterable[str]) -> frozenset[str] | None:
    """The host names requests may name, or None for any (a wildcard bind with no list: the token decides)."""
    names = {name.strip().lower().strip("[]") for name in configured if name.strip()}
    bind = (bind_host or "").strip().lower().strip("[]")
    if bind in WILDCARD_BINDS and bind_host is not None and not names:
        return None
    if bind and bind not in WILDCARD_BINDS:
        names.add(bind)
    return frozenset(LOOPBACK_NAMES | names)


def _host_name(host: str) -> str:
    """``Host`` without its port: ``[::1]:8000`` -> ``::1``, ``localhost:8000`` -> ``localhost``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    name, _, port = host.rpartition(":")
    if name and port.isdigit():
        try:  # an IPv6 address without brackets has colons of its own
            ipaddress.IPv6Address(host)
            return host
        except ValueError:
            return name
    return host


class SameOriginOnly:
    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value.decode("latin-1") for name, value in scope.get("headers", ())}
        host = headers.get(b"host", "")
        if self.hosts is not None and _host_name(host) not in self.hosts:
            response = error_response(400, ErrorCode.UNKNOWN_HOST,
                                      f"this server does not answer to the host name {host[:100]!r}; "
                                      "add it to ORDER_DESK_ALLOWED_HOSTS if it is yours")
            await response(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and _cross_origin(headers, host):
            response = error_response(403, ErrorCode.CROSS_ORIGIN,
                                      "a web page of another site may not change orders here")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _cross_origin(headers: dict[bytes, str], host: str) -> bool:
    if headers.get(b"sec-fetch-site", "").lower() == "cross-site":
        return True
    origin = headers.get(b"origin")
    if origin is None:
        return False  # not a browser, or a same-origin GET form: nothing to refuse
    if origin.strip().lower() == "null":
        return True  # sandboxed frames and file:// pages
    # Host and port, not the scheme: behind a TLS proxy the app sees http while the page is https.
    return urlsplit(origin.strip()).netloc.lower() != host.strip().lower()
