"""Keeps the table live: polls ``OrderService.list_orders`` about once a second on the Qt loop.

Each poll asks for the current view's orders (with the search text as the service's ``q``, so a search
finds orders beyond the newest ``limit``) and, always, for every order awaiting approval, so the desk can
announce a new one whatever tab is open or searched. A poll that started before the view or the search
changed is dropped, and a failed poll is reported and retried: the loop never dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from core.models import OrderFilter, OrderStatus, OrderSummary
from core.service_interface import OrderServiceProtocol
from desktop.local_changes import LocalChanges
from desktop.views import PENDING_VIEW, OrderView

log = logging.getLogger(__name__)

LIST_LIMIT = 500
AWAITING = OrderFilter.of(OrderStatus.PENDING_APPROVAL)


class OrdersRefresher(QObject):
    refreshed = Signal(object, object)  # list[OrderSummary] for the view, datetime of the poll
    failed = Signal(str)
    pendingArrived = Signal(object)  # list[OrderSummary] awaiting approval, not seen before

    def __init__(self, local: LocalChanges, interval: float = 1.0, limit: int = LIST_LIMIT,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._local = local
        self._interval = interval
        self._limit = limit
        self._view = PENDING_VIEW
        self._query: str | None = None
        self._generation = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._seen_pending: set[str] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, service: OrderServiceProtocol) -> None:
        if not self.running:
            self._task = asyncio.ensure_future(self._run(service))

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True  # a cancellation can be lost in 3.11's wait primitives; the flag cannot
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._stopping = False

    def set_view(self, view: OrderView) -> None:
        self._view = view
        self._generation += 1
        self.refresh_now()

    def set_query(self, text: str) -> None:
        query = text.strip() or None
        if query != self._query:
            self._query = query
            self._generation += 1
            self.refresh_now()

    def refresh_now(self) -> None:
        self._wake.set()

    async def _run(self, service: OrderServiceProtocol) -> None:
        while not self._stopping:
            self._wake.clear()
            generation, view, query = self._generation, self._view, self._query
            try:
                pending, orders = await self._fetch(service, view, query)
            except Exception as err:  # a poll must never end the loop: report it and poll again
                log.warning("Refreshing the orders failed: %s", err)
                self.failed.emit(str(err) or type(err).__name__)
            else:
                if generation != self._generation:
                    continue  # the view changed while this poll ran: poll the new one at once
                self._announce(pending)
                self.refreshed.emit(self._local.merge(orders, view), datetime.now(UTC))
            await self._pause()

    async def _pause(self) -> None:
        """Wait ``interval`` seconds, or less if woken (a view change, Refresh now)."""
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({woken}, timeout=self._interval)
        finally:
            woken.cancel()

    async def _fetch(self, service: OrderServiceProtocol, view: OrderView,
                     query: str | None) -> tuple[list[OrderSummary], list[OrderSummary]]:
        shown = service.list_orders(view.filter(query), limit=self._limit)
        if view is PENDING_VIEW and query is None:  # the view holds every pending order: one query serves both
            orders = await shown
            return [order for order in orders if order.status is OrderStatus.PENDING_APPROVAL], orders
        pending, orders = await asyncio.gather(service.list_orders(AWAITING, limit=self._limit), shown)
        return pending, orders

    def _announce(self, pending: list[OrderSummary]) -> None:
        """Report orders newly awaiting approval; the first poll only learns what is already there."""
        ids = {order.order_id for order in pending}
        if self._seen_pending is not None:
            new = [order for order in pending if order.order_id not in self._seen_pending]
            if new:
                self.pendingArrived.emit(new)
            self._seen_pending |= ids
        else:
            self._seen_pending = ids
