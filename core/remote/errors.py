"""Error bodies of the REST API back into the service's typed errors (``core.errors``), by their ``code``.

The server turns each typed error into ``{"detail", "code", "status"}`` through one table (``core.api.errors``);
this is the inverse table, so a face behind the HTTP client catches exactly what it catches behind the local
service. Only the ``code`` is read, never the English ``detail`` (which is kept as the message).
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from pydantic import ValidationError

from core.errors import (
    FORBIDDEN_CODES,
    ErrorCode,
    ExportsBusy,
    Forbidden,
    IdempotencyConflict,
    InvalidTransition,
    OrderDeskError,
    OrderNotFound,
    TemporalUnavailable,
)
from core.models import OrderStatus

if TYPE_CHECKING:  # a desk on the embedded default never loads httpx
    import httpx


class SignInRequired(OrderDeskError):
    """The server refused the token: missing or wrong (``unauthorized``), or revoked (``token_revoked``). Only
    signing in again helps; the local service never raises it."""

    code = ErrorCode.UNAUTHORIZED


class ServerUnreachable(OrderDeskError):
    """No HTTP answer at all: refused, timed out, cut off, or a certificate that is not trusted. ``untrusted`` is
    True for the last, so a face can say which setting fixes it (``ORDER_DESK_SERVER_CA``)."""

    code = ErrorCode.HTTP_ERROR

    def __init__(self, message: str, untrusted: bool = False, plain_http: bool = False) -> None:
        super().__init__(message)
        self.untrusted = untrusted
        self.plain_http = plain_http  # an https:// address that answered in plain HTTP: its scheme is wrong


class ServerAnswerUnreadable(OrderDeskError):
    """An answer this desk cannot read: a status, role or field it does not know. Desk and server ship together and
    a team upgrades its server first, so the likely cause is a newer server: the message says to update the desk,
    rather than showing a parser's report (error codes and statuses in refusals are read leniently already)."""

    code = ErrorCode.HTTP_ERROR


@contextlib.contextmanager
def reading(url: str) -> Iterator[None]:
    """Around reading a 2xx answer of the server at ``url``: what this desk cannot read raises
    ``ServerAnswerUnreadable`` (not a pydantic report in the message line, nor a live feed failing unexplained)."""
    try:
        yield
    except (ValueError, KeyError, TypeError) as err:  # ValidationError and a bad JSON body are ValueErrors
        raise ServerAnswerUnreadable(f"the server at {url} sent {_unknown(err)}, which this desk cannot read: the "
                                     f"server is probably newer than this desk; update Order Desk") from err


def _unknown(err: Exception) -> str:
    if isinstance(err, ValidationError) and err.errors():
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "its answer"
        return f"{where} {_shown(first['input'])}" if first["type"] != "missing" else f"no {where}"
    if isinstance(err, KeyError):
        return f"no {err.args[0]}" if err.args else "an answer without a field this desk needs"
    return f"an answer ({str(err)[:_QUOTED]})"


_QUOTED = 80  # characters of what could not be read: enough to see it, never a whole answer


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _QUOTED else text[:_QUOTED] + "…"


Build = Callable[[str, OrderStatus | None, str | None], OrderDeskError]  # detail, status, order ID


def _not_found(detail: str, _status: OrderStatus | None, order_id: str | None) -> OrderDeskError:
    return OrderNotFound(order_id) if order_id is not None else OrderDeskError(detail, ErrorCode.ORDER_NOT_FOUND)


def _forbidden(code: ErrorCode) -> Build:
    return lambda detail, status, _order_id: Forbidden(detail, status, code)


def _with_code(kind: type[OrderDeskError], code: ErrorCode) -> Build:
    return lambda detail, _status, _order_id: kind(detail, code)


ERRORS: dict[ErrorCode, Build] = {
    ErrorCode.ORDER_NOT_FOUND: _not_found,
    ErrorCode.INVALID_TRANSITION: lambda detail, status, _order_id: InvalidTransition(detail, status),
    **{code: _forbidden(code) for code in FORBIDDEN_CODES},
    ErrorCode.IDEMPOTENCY_CONFLICT: lambda detail, _status, _order_id: IdempotencyConflict(detail),
    ErrorCode.TEMPORAL_UNAVAILABLE: _with_code(TemporalUnavailable, ErrorCode.TEMPORAL_UNAVAILABLE),
    ErrorCode.NO_WORKER: _with_code(TemporalUnavailable, ErrorCode.NO_WORKER),
    ErrorCode.EXPORTS_BUSY: lambda detail, _status, _order_id: ExportsBusy(detail),
    ErrorCode.UNAUTHORIZED: _with_code(SignInRequired, ErrorCode.UNAUTHORIZED),
    ErrorCode.TOKEN_REVOKED: _with_code(SignInRequired, ErrorCode.TOKEN_REVOKED),
}
"""Each code to the typed error the local service raises for it; any other code is an ``OrderDeskError`` that
carries it (``ledger_unavailable``, ``invalid_request``, ...)."""


def error_of(response: httpx.Response, order_id: str | None = None) -> OrderDeskError:
    """The typed error a non-2xx ``response`` stands for (its body read already)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "code" not in body:  # not our server's answer: a proxy's page, say
        return OrderDeskError(f"the server answered {response.status_code} {response.reason_phrase}",
                              ErrorCode.HTTP_ERROR)
    detail = str(body.get("detail") or response.reason_phrase)
    try:
        code = ErrorCode(body["code"])
    except ValueError:  # a newer server's code: kept as words, with the broad one
        return OrderDeskError(detail, ErrorCode.HTTP_ERROR)
    try:
        status = OrderStatus(body["status"]) if body.get("status") else None
    except ValueError:
        status = None
    build = ERRORS.get(code)
    return build(detail, status, order_id) if build is not None else OrderDeskError(detail, code)


def unreachable(url: str, err: httpx.TransportError) -> ServerUnreachable:
    """A transport failure in words a person can act on; a certificate the desk does not trust says so."""
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return ServerUnreachable(f"the certificate of {url} is not trusted ({cause.verify_message})",
                                     untrusted=True)
        if isinstance(cause, ssl.SSLError) and cause.reason == "WRONG_VERSION_NUMBER":  # the TLS hello met HTTP
            return ServerUnreachable(f"the server at {url} answers in plain http://, not https://", plain_http=True)
        cause = cause.__cause__ or cause.__context__
    if "CERTIFICATE_VERIFY_FAILED" in str(err):
        return ServerUnreachable(f"the certificate of {url} is not trusted ({err})", untrusted=True)
    return ServerUnreachable(f"the server at {url} does not answer: {err or type(err).__name__}")
