"""Keeps the table live from the change feed, with a slow full re-list as a safety net.

It follows the service's change feed (``follow_changes``: the ledger's feed on the embedded default, ``/events``
on a team server) and reports each change as it lands, sorted into the orders the current view and search show and
those that left them. A full list of the view (with the search text as the service's ``q``, so a search finds
orders beyond the newest ``limit``) runs at start, after every reconnection, on a view or search change, on
Refresh now, and every ``resync_interval`` seconds. Changes that land while a list is under way are laid over its
answer, so a slow list never undoes them. Following starts before the first list (at the feed's head), so nothing
falls between the two; a change seen twice is harmless. A failure is reported and retried: the loops never die;
only a refused token (``SignInRequired``) stops them, until the desk signs in again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from core.models import OrderChange, OrderStatus, OrderSummary
from core.remote.errors import SignInRequired
from core.runtime import backoff
from core.service_interface import OrderServiceProtocol
from core.text import fold
from desktop.local_changes import LocalChanges, newer
from desktop.views import NOBODY, PENDING_VIEW, OrderView, Reviewer

log = logging.getLogger(__name__)

LIST_LIMIT = 500
RESYNC_INTERVAL = 30.0  # seconds between full lists while the feed runs: only a safety net
QUIET = 1.0  # seconds of an idle feed after which it says it is still there


class OrdersRefresher(QObject):
    refreshed = Signal(object, object)  # list[OrderSummary]: the view's whole list, datetime of the list
    changed = Signal(object, object)  # list[OrderSummary] the view shows now, list[OrderSummary] that left it
    alive = Signal(object)  # datetime: the feed still answers, and the table is current
    failed = Signal(str)
    refused = Signal(object)  # SignInRequired: the server refused the token; nothing runs until the next start
    pendingArrived = Signal(object)  # list[OrderSummary] that just started waiting for approval

    def __init__(self, local: LocalChanges, interval: float = RESYNC_INTERVAL, limit: int = LIST_LIMIT,
                 follow: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._local = local
        self._interval = interval
        self._limit = limit
        self._follow = follow
        self._view = PENDING_VIEW
        self._reviewer = NOBODY  # who a review view is for
        self._signed: set[str] = set()  # orders signed here: four-eyes keeps them from this reviewer
        self._query: str | None = None
        self._generation = 0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._seq: int | None = None  # the newest change applied
        self._overlay: list[OrderSummary] | None = None  # changes applied while a list runs
        self._failing = False
        self._logged_failures: set[str] = set()  # the causes logged since a list last worked
        self._stopping = False

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._tasks)

    def start(self, service: OrderServiceProtocol) -> None:
        if self.running:
            return
        self._stopping = False
        self._seq = None
        self._tasks = [asyncio.ensure_future(self._list_loop(service))]
        if self._follow:
            self._wake.clear()  # the first list waits until following has begun: nothing falls between them
            self._tasks.append(asyncio.ensure_future(self._follow_loop(service)))
        else:
            self.refresh_now()

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        self._stopping = True  # a cancellation can be lost in 3.11's wait primitives; the flag cannot
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def set_view(self, view: OrderView) -> None:
        self._view = view
        self._generation += 1
        self.refresh_now()

    def set_reviewer(self, reviewer: Reviewer) -> None:
        """Who sits at the desk now, as a review view asks for it; listed again if it shows such a view."""
        if reviewer != self._reviewer:
            self._reviewer = reviewer
            self._signed.clear()
            if self._view.review:
                self._generation += 1
                self.refresh_now()

    def signed_here(self, order_id: str) -> None:
        """The reviewer signed a step of this order here: a review view leaves it out from now on, even while the
        ledger has not recorded the signature yet (and so still lists it)."""
        self._signed.add(order_id)

    def set_query(self, text: str) -> None:
        query = text.strip() or None
        if query != self._query:
            self._query = query
            self._generation += 1
            self.refresh_now()

    def refresh_now(self) -> None:
        self._wake.set()

    def shows(self, order: OrderSummary) -> bool:
        """Whether the current view and search hold ``order``: the service's filter, applied here."""
        if self._view.review and order.order_id in self._signed:
            return False
        return self._view.holds(order, self._reviewer) and (
            self._query is None or fold(self._query) in fold(order.item))

    # ---- the feed -------------------------------------------------------------------------------

    async def _follow_loop(self, service: OrderServiceProtocol) -> None:
        delays = backoff()
        while not self._stopping:
            try:
                if self._seq is None:
                    self._seq = await service.last_change()
                self.refresh_now()  # (re)subscribed: list once, in case anything was missed meanwhile
                async with contextlib.aclosing(service.follow_changes(self._seq, quiet=QUIET)) as batches:
                    async for batch in batches:
                        delays = backoff()
                        self._apply(batch)
            except SignInRequired as err:
                self._refuse(err)
                return
            except Exception as err:  # cut off, or the ledger does not answer: say so, follow again shortly
                self._fail(err)
            if not self._stopping:
                await asyncio.sleep(next(delays))

    def _apply(self, batch: list[OrderChange]) -> None:
        now = datetime.now(UTC)
        if not batch:
            if not self._failing:
                self.alive.emit(now)
            return
        self._seq = batch[-1].seq
        latest = {change.order_id: change.order for change in batch}
        if self._overlay is not None:
            self._overlay.extend(latest.values())
        shown, gone = [], []
        for order in latest.values():
            order = self._local.overlay(order)
            (shown if self.shows(order) else gone).append(order)
        self.changed.emit(shown, gone)
        if not self._failing:
            self.alive.emit(now)
        waiting = [change.order for change in batch
                   if change.kind == "transition" and change.status is OrderStatus.PENDING_APPROVAL]
        if waiting:
            self.pendingArrived.emit(waiting)

    # ---- the full list ----------------------------------------------------------------------------

    async def _list_loop(self, service: OrderServiceProtocol) -> None:
        while not self._stopping:
            await self._pause()
            self._wake.clear()
            generation, view, query, reviewer = self._generation, self._view, self._query, self._reviewer
            self._overlay = []
            try:
                orders = await service.list_orders(view.filter(query, reviewer), limit=self._limit)
            except SignInRequired as err:
                self._refuse(err)
                return
            except Exception as err:  # a list must never end the loop: report it and list again
                self._fail(err)
                continue
            finally:
                overlay, self._overlay = self._overlay, None
            if generation != self._generation:
                self.refresh_now()  # the view changed while this list ran: list the new one at once
                continue
            self._failing = False
            if self._logged_failures:
                log.info("Refreshing the orders works again")
                self._logged_failures.clear()
            if view.review:
                orders = [order for order in orders if order.order_id not in self._signed]
            merged = _laid_over(orders, overlay or [], self.shows)
            self.refreshed.emit(self._local.merge(merged, view), datetime.now(UTC))

    async def _pause(self) -> None:
        """Until woken (a view change, Refresh now, a reconnection), or ``interval`` seconds."""
        if self._wake.is_set():
            return
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({woken}, timeout=self._interval if not self._failing else min(self._interval, 2.0))
        finally:
            woken.cancel()

    def _fail(self, err: Exception) -> None:
        """Logged once per cause (the list and the feed both retry every 2 s while a server is down: 23 lines in
        25 s), then again when it works."""
        cause = str(err) or type(err).__name__
        if cause not in self._logged_failures:
            log.warning("Refreshing the orders failed: %s", cause)
            self._logged_failures.add(cause)
        self._failing = True
        self.failed.emit(str(err) or type(err).__name__)

    def _refuse(self, err: SignInRequired) -> None:
        log.warning("The server refused the token: %s", err)
        self._failing = True
        self.refused.emit(err)


def _laid_over(listed: list[OrderSummary], changes: Iterable[OrderSummary],
               shows: Callable[[OrderSummary], bool]) -> list[OrderSummary]:
    """``listed`` with each later change laid over it (added, replaced, or gone from the view), unless the list
    already had a newer state of that order."""
    merged = {order.order_id: order for order in listed}
    for order in changes:
        known = merged.get(order.order_id)
        if known is not None and not newer(order, known):
            continue
        if shows(order):
            merged[order.order_id] = order
        else:
            merged.pop(order.order_id, None)
    return list(merged.values())
