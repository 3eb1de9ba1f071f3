"""What this desk did in the last seconds, laid over the listed orders and the feed until they catch up.

Lists and the change feed come from the ledger, which the workflow's activities write a moment after each
transition (longer while the worker is busy or stopped). Without this, an order created here could vanish on the
next list and reappear later, and a decided order flash back to pending when the feed brings an older change. A
local change wins while a list or the feed shows an older state of the order (by status rank); it is dropped once
they have caught up, or after ``ttl`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from core.models import OrderSummary
from desktop.views import STATUS_RANK, OrderView

DEFAULT_TTL = 15.0


class LocalChanges:
    def __init__(self, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._changes: dict[str, tuple[OrderSummary, float]] = {}

    def record(self, order: OrderSummary) -> None:
        self._changes[order.order_id] = (order, self._clock() + self._ttl)

    def clear(self) -> None:
        self._changes.clear()

    def overlay(self, order: OrderSummary) -> OrderSummary:
        """One order from the change feed, or this desk's own newer state of it while the feed is behind."""
        local = self._changes.get(order.order_id)
        if local is None:
            return order
        if self._clock() > local[1] or STATUS_RANK[order.status] >= STATUS_RANK[local[0].status]:
            del self._changes[order.order_id]
            return order
        return local[0]

    def merge(self, polled: Iterable[OrderSummary], view: OrderView) -> list[OrderSummary]:
        """``polled`` with the still-newer local changes laid over it, for ``view``."""
        now = self._clock()
        merged = {order.order_id: order for order in polled}
        for order_id, (local, expires) in list(self._changes.items()):
            seen = merged.get(order_id)
            if now > expires or (seen is not None and STATUS_RANK[seen.status] >= STATUS_RANK[local.status]):
                del self._changes[order_id]
            elif seen is not None:
                merged[order_id] = local
            elif view.includes(local.status):
                merged[order_id] = local  # not indexed yet
            else:
                # It left this view and the index already knows: the poll no longer lists it.
                del self._changes[order_id]
        return list(merged.values())


def newer(order: OrderSummary, than: OrderSummary) -> bool:
    """Whether ``order`` may replace ``than`` (another state of the same order): it is as far along or further. An
    order's status only moves forward, so its rank says which state came later, whatever the clocks say; two
    states of one rank are the same status (or two final ones, which never follow each other)."""
    return STATUS_RANK[order.status] >= STATUS_RANK[than.status]
