"""What a face may ask of the order service, as a Protocol: the desk depends on this, not on how it is served.

``core.service.OrderService`` serves it over Temporal and the ledger; a desk signed in to a team server gets an
HTTP client of the REST API that serves the same calls and raises the same typed errors (``core.errors``,
which travel as the ``code`` of the REST error bodies). ``actor`` is who acts where the caller decides that
(the local desk); a server that authenticates its callers ignores it and uses the caller's identity.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Protocol

from core.models import (
    Action,
    Actor,
    BulkOutcome,
    OrderChange,
    OrderDetails,
    OrderFilter,
    OrderRequest,
    OrderStatus,
    OrderSummary,
    StuckOrder,
)


class OrderServiceProtocol(Protocol):
    async def create_order(self, request: OrderRequest, actor: Actor,
                           idempotency_key: str | None = None) -> str: ...

    async def decide(self, order_id: str, action: Action, actor: Actor, reason: str | None = None,
                     request_id: str | None = None) -> OrderStatus: ...

    async def decide_many(self, order_ids: Sequence[str], action: Action, actor: Actor, reason: str | None = None,
                          concurrency: int = ..., progress: Callable[[BulkOutcome], None] | None = None,
                          request_id: str | None = None) -> list[BulkOutcome]: ...

    async def status(self, order_id: str) -> OrderStatus: ...

    async def summary(self, order_id: str) -> OrderSummary: ...

    async def details(self, order_id: str) -> OrderDetails: ...

    async def list_orders(self, where: OrderFilter = ..., limit: int = 200, offset: int = 0
                          ) -> list[OrderSummary]: ...

    async def count_orders(self, where: OrderFilter = ...) -> int: ...

    def export_csv(self, where: OrderFilter = ..., chunk: int = 1000) -> AsyncIterator[str]: ...

    async def changes(self, after: int = 0, limit: int = 100) -> list[OrderChange]: ...

    async def last_change(self) -> int: ...

    def follow_changes(self, after: int | None = None, quiet: float = 1.0) -> AsyncIterator[list[OrderChange]]: ...

    async def healthy(self) -> bool: ...

    async def stuck_orders(self) -> list[StuckOrder]: ...
