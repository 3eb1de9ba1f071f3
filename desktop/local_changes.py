"""What this desk did in the last seconds, laid over the polled list until the ledger catches up.

The list comes from the ledger, which the workflow's activities write a moment after each
transition (longer while the worker is busy or stopped). Without this, an order created here
could vanish on the next poll and reappear later, and a decided order flash back to pending.
A local change wins while the poll shows an older state of the order (by status rank); it is
dropped once the poll has caught up, or after ``ttl`` seconds.
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
