"""Typed service errors, each with a machine-readable ``code``. Each face maps them once: REST to status codes
and the ``code`` of its error bodies, the desktop to messages in its language. No face reads the English text."""

from __future__ import annotations

from enum import StrEnum

from core.models import OrderStatus


class ErrorCode(StrEnum):
    """Why something was refused, for programs. The workflow puts a refusal's code in its ``ApplicationError``
    details; REST sends it as ``code`` beside ``detail``; the desk translates by it."""

    ORDER_NOT_FOUND = "order_not_found"
    INVALID_TRANSITION = "invalid_transition"
    FORBIDDEN = "forbidden"  # a refusal of an order from before refusal codes: the rule is not named
    MANAGER_ONLY = "manager_only"  # a clerk approving or rejecting
    OWN_ORDERS_ONLY = "own_orders_only"  # a clerk cancelling someone else's order
    FOUR_EYES = "four_eyes"  # the creator approving their own order
    ROLE_REQUIRED = "role_required"  # a decision with no role on an order of a team server
    WRONG_STEP_ROLE = "wrong_step_role"  # a signature (or rejection) below the role the awaited step needs
    ALREADY_SIGNED = "already_signed"  # a second signature on one order by the same person (four-eyes across steps)
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    TEMPORAL_UNAVAILABLE = "temporal_unavailable"
    NO_WORKER = "no_worker"  # Temporal answered, but no worker took the task in time
    LEDGER_UNAVAILABLE = "ledger_unavailable"
    # Refusals of the HTTP layer itself (core/api)
    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"
    TOKEN_REVOKED = "token_revoked"  # a user's token that `order-desk users revoke` revoked
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    BODY_TOO_LARGE = "body_too_large"
    UNKNOWN_HOST = "unknown_host"  # a Host the server does not answer to (DNS rebinding)
    CROSS_ORIGIN = "cross_origin"  # a state change sent by a web page of another site (CSRF)
    EXPORTS_BUSY = "exports_busy"  # every export slot is taken: retry after a moment
    HTTP_ERROR = "http_error"
    INTERNAL_ERROR = "internal_error"


FORBIDDEN_CODES = frozenset({ErrorCode.FORBIDDEN, ErrorCode.MANAGER_ONLY, ErrorCode.OWN_ORDERS_ONLY,
                             ErrorCode.FOUR_EYES, ErrorCode.ROLE_REQUIRED, ErrorCode.WRONG_STEP_ROLE,
                             ErrorCode.ALREADY_SIGNED})


class OrderDeskError(Exception):
    """Base of every error a face is expected to show to a person."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init__(self, message: str, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class OrderNotFound(OrderDeskError):
    code = ErrorCode.ORDER_NOT_FOUND

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} not found")
        self.order_id = order_id


class InvalidTransition(OrderDeskError):
    """The order's state forbids the action; ``current_status`` is what it is now."""

    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, message: str, current_status: OrderStatus | None) -> None:
        super().__init__(message)
        self.current_status = current_status


class Forbidden(OrderDeskError):
    """The actor's role or the four-eyes rule forbids the action; ``code`` names the rule."""

    code = ErrorCode.FORBIDDEN

    def __init__(self, message: str, current_status: OrderStatus | None = None,
                 code: ErrorCode = ErrorCode.FORBIDDEN) -> None:
        super().__init__(message, code)
        self.current_status = current_status


class IdempotencyConflict(OrderDeskError):
    """An idempotency key was reused with a different request."""

    code = ErrorCode.IDEMPOTENCY_CONFLICT


class TemporalUnavailable(OrderDeskError):
    """Temporal did not answer (``temporal_unavailable``), or no worker took the request in time (``no_worker``)."""

    code = ErrorCode.TEMPORAL_UNAVAILABLE


class ExportsBusy(OrderDeskError):
    """As many exports as the server allows are streaming; another waits for none of them, it is refused."""

    code = ErrorCode.EXPORTS_BUSY


class LedgerTooNew(OrderDeskError):
    """The ledger was migrated by a newer Order Desk than this one (a revision its migrations do not know): going on
    would run this version's code on tables it does not know. Said at start, in one line."""

    code = ErrorCode.LEDGER_UNAVAILABLE


def first_line(err: BaseException) -> str:
    """An error in one line for a person: its driver's own error where it wraps one (SQLAlchemy's ``orig``), the
    first line of its text (a driver's or Temporal's message may run on), or its type's name when it says nothing."""
    cause = getattr(err, "orig", None) or err
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__
