"""The routes' dependencies, as ``Annotated`` aliases: the service, a checked order ID, the idempotency key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from core.errors import OrderNotFound, TemporalUnavailable
from core.service import OrderService, is_order_id


async def _service(request: Request) -> OrderService:
    service: OrderService | None = getattr(request.app.state, "service", None)
    if service is None:
        raise TemporalUnavailable("the service is not connected to Temporal")
    return service


def not_found(order_id: str) -> OrderNotFound:
    """The 404 of an ID that names no order, quoting at most 80 characters of it."""
    return OrderNotFound(order_id if len(order_id) <= 80 else order_id[:80] + "…")


# Anything not shaped like an order ID cannot name an order: 404 here, before it reaches Temporal.
async def _order_id(order_id: Annotated[str, Path(description="the order's ID, as returned by `POST /orders`",
                                            examples=["order_3f9c2a7d41b0"])]) -> str:
    if not is_order_id(order_id):
        raise not_found(order_id)
    return order_id


OrderServiceDep = Annotated[OrderService, Depends(_service)]
OrderIdDep = Annotated[str, Depends(_order_id)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
    description="retry-safe requests: a retried request with the same key (1-200 visible ASCII characters) "
                "is the same request, not a second one")]
