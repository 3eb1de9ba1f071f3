"""The one table from failures to HTTP: the service's typed errors, rejected requests and HTTP errors all
leave as ``ErrorBody`` JSON, and nothing leaves as a traceback."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from temporalio.service import RPCError

from core.api.schemas import ErrorBody, FieldError
from core.errors import (
    Forbidden,
    IdempotencyConflict,
    InvalidTransition,
    OrderDeskError,
    OrderNotFound,
    TemporalUnavailable,
)

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5

ERROR_STATUS: dict[type[OrderDeskError], int] = {
    OrderNotFound: 404,
    InvalidTransition: 409,
    Forbidden: 403,
    IdempotencyConflict: 422,
    TemporalUnavailable: 503,
}

_DESCRIPTIONS = {
    401: "Missing or wrong bearer token",
    403: "The actor's role or the four-eyes rule forbids the action; `status` is the order's status",
    404: "No such order",
    409: "The order's state forbids the action; `status` is its current status",
    413: "The request body is larger than 64 KiB",
    422: "The request is invalid; `detail` and `errors` name each offending field",
    503: "Temporal or the order ledger (database) does not answer, or, for a decision, no worker took it "
         "within a few seconds",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    503: {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}},
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries of the given error codes, so the docs say what the table sends."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        responses[code] = {"model": ErrorBody, "description": _DESCRIPTIONS[code]}
        if code in _HEADERS:
            responses[code]["headers"] = _HEADERS[code]
    return responses


def error_response(status_code: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = ErrorBody(detail=detail, **extra).model_dump(mode="json", exclude_none=True)
    if status_code == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), **(headers or {})}
    return JSONResponse(body, status_code=status_code, headers=headers)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OrderDeskError)
    status_code = next(code for kind, code in ERROR_STATUS.items() if isinstance(exc, kind))
    if status_code == 503:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    return error_response(status_code, str(exc), status=getattr(exc, "current_status", None))


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors())
    detail = "; ".join(f"{error.field or error.location}: {error.message}" for error in errors)
    return error_response(422, detail or "invalid request", errors=errors)


def field_errors(errors: Sequence[Any]) -> list[FieldError]:
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
        named.append(FieldError(location=location, field=".".join(path), message=message,
                                type=str(error.get("type", "invalid"))))
    return named


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI's answer to a body it could not decode (not UTF-8, say): for the client that is
        # invalid JSON like any other, so it gets the same 422.
        error = FieldError(location="body", field="", message=f"invalid JSON: {exc.__cause__}", type="json_invalid")
        return error_response(422, f"body: {error.message}", errors=[error])
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


async def _untranslated_temporal_error(request: Request, exc: Exception) -> JSONResponse:
    """A Temporal refusal the service passed through untranslated: the request may succeed later."""
    return await _service_error(request, TemporalUnavailable(f"Temporal could not take the request: {exc}"))


async def _ledger_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The ledger's database refused or dropped the connection (or SQLite stayed locked): worth a retry. The
    client learns only that; the log gets the driver's reason, never the SQL or its parameters."""
    reason = exc.orig if isinstance(exc, OperationalError) else exc
    log.warning("%s %s: the order ledger does not answer: %s", request.method, request.url.path,
                str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__)
    return error_response(503, "the order ledger (database) does not answer; try again shortly")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("Unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error; the server log has the details")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OrderDeskError, _service_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RPCError, _untranslated_temporal_error)
    app.add_exception_handler(OperationalError, _ledger_unavailable)
    app.add_exception_handler(PoolTimeout, _ledger_unavailable)
    app.add_exception_handler(Exception, _unexpected)
