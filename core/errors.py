"""Typed service errors. Each face maps them once: REST to status codes, the desktop to messages."""

from __future__ import annotations

from core.models import OrderStatus


class OrderDeskError(Exception):
    """Base of every error a face is expected to show to a person."""


class OrderNotFound(OrderDeskError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} not found")
        self.order_id = order_id


class InvalidTransition(OrderDeskError):
    """The order's state forbids the action; ``current_status`` is what it is now."""

    def __init__(self, message: str, current_status: OrderStatus | None) -> None:
        super().__init__(message)
        self.current_status = current_status


class Forbidden(OrderDeskError):
    """The actor's role or the four-eyes rule forbids the action."""

    def __init__(self, message: str, current_status: OrderStatus | None = None) -> None:
        super().__init__(message)
        self.current_status = current_status


class IdempotencyConflict(OrderDeskError):
    """An idempotency key was reused with a different request."""


class TemporalUnavailable(OrderDeskError):
    """Temporal did not answer, or no worker took the request in time."""
