"""The SDK's failures as the service's typed errors: one translation, by status codes and failure types,
never by the SDK's message text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from core.errors import ErrorCode, Forbidden, InvalidTransition, OrderNotFound, TemporalUnavailable
from core.models import OrderStatus
from workflows.decision_rules import FORBIDDEN, INVALID_TRANSITION

# How the server says it could not be reached or did not answer in time: worth a retry later.
UNAVAILABLE = frozenset({RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED,
                         RPCStatusCode.RESOURCE_EXHAUSTED})


@asynccontextmanager
async def translated(order_id: str | None = None) -> AsyncIterator[None]:
    """Turn the SDK's transport errors into the service's typed ones."""
    try:
        yield
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND and order_id is not None:
            raise OrderNotFound(order_id) from err
        if err.status in UNAVAILABLE:
            raise TemporalUnavailable(f"Temporal did not answer: {err.message}") from err
        raise
    except RuntimeError as err:
        # A client that has not connected yet (``lazy``) reports a server it cannot reach as a bare
        # RuntimeError from the SDK's core; nothing else awaited in this scope raises one.
        if type(err) is not RuntimeError:  # NotImplementedError, RecursionError: bugs, not an outage
            raise
        raise TemporalUnavailable(f"Temporal does not answer: {err}") from err


def update_aborted(err: RPCError) -> bool:
    """Temporal aborted the Update because its workflow task failed: it was never applied, so it may be resent."""
    return err.status is RPCStatusCode.FAILED_PRECONDITION and any(
        detail.type_url.endswith("WorkflowNotReadyFailure") for detail in err.grpc_status.details)


def decision_error(cause: BaseException | None) -> Exception:
    """The workflow's refusal of a decision (``refusal()``: details = [status, code]) as a typed error."""
    if isinstance(cause, ApplicationError) and cause.type in (FORBIDDEN, INVALID_TRANSITION):
        details = list(cause.details)
        current = OrderStatus(details[0]) if details else None
        code = _code(details[1]) if len(details) > 1 else None
        if cause.type == FORBIDDEN:
            return Forbidden(cause.message, current, code or ErrorCode.FORBIDDEN)
        return InvalidTransition(cause.message, current)
    return TemporalUnavailable(f"decision failed: {cause}")


def _code(value: object) -> ErrorCode | None:
    try:
        return ErrorCode(value)
    except ValueError:  # a code from a newer workflow than this face knows
        return None
