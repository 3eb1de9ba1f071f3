"""The one table from failures to HTTP: the service's typed errors, rejected requests and HTTP errors all
leave as ``ErrorBody`` JSON, with a machine-readable ``code`` beside the human ``detail``, and nothing leaves
as a traceback. Clients branch on ``code`` (``core.errors.ErrorCode``), never on the English ``detail``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from temporalio.service import RPCError

from core.api.schemas import ErrorBody, FieldError
from core.errors import FORBIDDEN_CODES, ErrorCode, OrderDeskError, TemporalUnavailable

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5

SERVICE_STATUS: dict[ErrorCode, int] = {
    ErrorCode.ORDER_NOT_FOUND: 404,
    ErrorCode.INVALID_TRANSITION: 409,
    **dict.fromkeys(sorted(FORBIDDEN_CODES), 403),
    ErrorCode.IDEMPOTENCY_CONFLICT: 422,
    ErrorCode.TEMPORAL_UNAVAILABLE: 503,
    ErrorCode.NO_WORKER: 503,
    ErrorCode.LEDGER_UNAVAILABLE: 503,
    ErrorCode.EXPORTS_BUSY: 503,
}
"""The status of each code a service error carries. A service error with any other code is a bug (500)."""

HTTP_CODES: dict[int, ErrorCode] = {
    401: ErrorCode.UNAUTHORIZED,
    404: ErrorCode.NOT_FOUND,  # no such path; an unknown order is ``order_not_found``
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.BODY_TOO_LARGE,
    422: ErrorCode.INVALID_REQUEST,
}
"""The code of an error the HTTP layer answers itself, by status; any other status is ``http_error``."""

_DESCRIPTIONS = {
    401: "Missing or wrong bearer token (`unauthorized`), or a revoked user's (`token_revoked`)",
    403: "The actor's role or the four-eyes rule forbids the action (`manager_only`, `own_orders_only`, "
         "`four_eyes`; `forbidden` for an order created before rules were named); `status` is the order's status. "
         "Also `cross_origin`: a state change sent by a web page of another site",
    404: "No such order (`order_not_found`)",
    409: "The order's state forbids the action (`invalid_transition`); `status` is its current status",
    413: "The request body is larger than 64 KiB (`body_too_large`)",
    422: "The request is invalid (`invalid_request`); `detail` and `errors` name each offending field",
    503: "Temporal (`temporal_unavailable`) or the order ledger (`ledger_unavailable`) does not answer, or, for a "
         "decision, no worker took it within a few seconds (`no_worker`), or, for an export, every export slot "
         "is taken (`exports_busy`)",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    503: {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}},
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries of the given error statuses, so the docs say what the table sends."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        responses[status] = {"model": ErrorBody, "description": _DESCRIPTIONS[status]}
        if status in _HEADERS:
            responses[status]["headers"] = _HEADERS[status]
    return responses


def error_response(status_code: int, code: ErrorCode, detail: str, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    body = ErrorBody(detail=detail, code=code, **extra).model_dump(mode="json", exclude_none=True)
    if status_code == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), **(headers or {})}
    return JSONResponse(body, status_code=status_code, headers=headers)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OrderDeskError)
    status_code = SERVICE_STATUS.get(exc.code)
    if status_code is None:
        return await _unexpected(request, exc)
    if status_code == 503:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    return error_response(status_code, exc.code, str(exc), status=getattr(exc, "current_status", None))


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors(), "json" in request.headers.get("content-type", "").lower())
    detail = "; ".join(f"{error.field or error.location}: {error.message}" for error in errors)
    return error_response(422, ErrorCode.INVALID_REQUEST, detail or "invalid request", errors=errors)


_ISO_TIME = "must be an ISO 8601 date or time, e.g. 2025-06-01 or 2025-06-01T08:30:00+07:00 (in a URL, + is %2B)"
_PATTERN_MEANS = {  # what a parameter's pattern asks for, said for people (the OpenAPI document keeps the pattern)
    "since": _ISO_TIME, "until": _ISO_TIME,
    "min_amount": "must be a plain decimal number, e.g. 5000000 or 12.50", "max_amount": "must be a plain decimal "
    "number, e.g. 50000000 or 12.50", "currency": "must be three letters (ISO 4217), e.g. VND",
    "q": "must not contain a NUL character", "created_by": "must not contain a NUL character",
    "Idempotency-Key": "must be printable ASCII without spaces",
}
_NOT_JSON = "must be a JSON object, sent with Content-Type: application/json"


def field_errors(errors: Sequence[Any], json_sent: bool = True) -> list[FieldError]:
    """Pydantic's errors, each named by the field it is about (``quantity``, ``X-Actor``, ``body``)."""
    named = []
    for error in errors:
        location, *path = [str(part) for part in error.get("loc", ("body",))] or ["body"]
        if location == "query":
            path = path[:1]  # the parameter, not the position of a repeated one (status=...&status=...)
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "json_invalid":
            path = []
            message = f"invalid JSON: {error.get('ctx', {}).get('error', 'cannot be parsed')}"
        elif error.get("type") == "string_pattern_mismatch" and path and path[-1] in _PATTERN_MEANS:
            message = _PATTERN_MEANS[path[-1]]
        elif location == "body" and not path and not json_sent:  # curl -d without -H: a form, not JSON
            message = _NOT_JSON
        named.append(FieldError(location=location, field=".".join(path), message=message,
                                type=str(error.get("type", "invalid"))))
    return named


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI's answer to a body it could not decode (not UTF-8, say): for the client that is
        # invalid JSON like any other, so it gets the same 422.
        error = FieldError(location="body", field="", message=f"invalid JSON: {exc.__cause__}", type="json_invalid")
        return error_response(422, ErrorCode.INVALID_REQUEST, f"body: {error.message}", errors=[error])
    code = getattr(exc, "code", None) or HTTP_CODES.get(exc.status_code, ErrorCode.HTTP_ERROR)
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


async def _untranslated_temporal_error(request: Request, exc: Exception) -> JSONResponse:
    """A Temporal refusal the service passed through untranslated: the request may succeed later."""
    return await _service_error(request, TemporalUnavailable(f"Temporal could not take the request: {exc}"))


async def _ledger_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The ledger's database refused or dropped the connection (or SQLite stayed locked): worth a retry. The
    client learns only that; the log gets the driver's reason, never the SQL or its parameters."""
    reason = exc.orig if isinstance(exc, OperationalError) else exc
    log.warning("%s %s: the order ledger does not answer: %s", request.method, request.url.path,
                str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__)
    return error_response(503, ErrorCode.LEDGER_UNAVAILABLE,
                          "the order ledger (database) does not answer; try again shortly")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("Unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, ErrorCode.INTERNAL_ERROR, "internal error; the server log has the details")


HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[JSONResponse]]] = {
    OrderDeskError: _service_error,
    RequestValidationError: _invalid_request,
    HTTPException: _http_error,
    RPCError: _untranslated_temporal_error,
    OperationalError: _ledger_unavailable,
    PoolTimeout: _ledger_unavailable,
    Exception: _unexpected,
}
"""Each failure to its answer; Starlette picks the handler of the nearest class in the exception's MRO."""


def install_error_handlers(app: FastAPI) -> None:
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
