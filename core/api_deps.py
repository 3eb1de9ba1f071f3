"""The routes' dependencies, as ``Annotated`` aliases: the service, a checked order ID, the idempotency key."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from core.errors import OrderNotFound, TemporalUnavailable
from core.service import ORDER_PREFIX, OrderService

# Order IDs are ``order_<hex>``; anything outside this shape cannot name an order, and is answered
# 404 here, before an odd or huge ID reaches Temporal.
_ORDER_ID = re.compile(rf"{re.escape(ORDER_PREFIX)}[0-9A-Za-z_-]{{1,58}}")


async def _service(request: Request) -> OrderService:
    service: OrderService | None = getattr(request.app.state, "service", None)
    if service is None:
        raise TemporalUnavailable("the service is not connected to Temporal")
    return service


def is_order_id(value: str) -> bool:
    """Whether ``value`` is shaped like an order ID at all; only such IDs are worth asking Temporal about."""
    return _ORDER_ID.fullmatch(value) is not None


def not_found(order_id: str) -> OrderNotFound:
    """The 404 of an ID that names no order, quoting at most 80 characters of it."""
    return OrderNotFound(order_id if len(order_id) <= 80 else order_id[:80] + "…")


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
