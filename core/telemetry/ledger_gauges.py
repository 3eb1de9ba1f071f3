"""Gauges read from the ledger when Prometheus scrapes: how many orders are in each status, how old the oldest
undecided ones are, and how many orders' ledger writes keep failing.

A few indexed counts (``(status, created_at)``), at most once per ``TTL`` whatever the number of scrapers, so a
scrape costs the database next to nothing. Only ``serve`` reports them: every process sees the same ledger, and
one reporter keeps ``sum`` honest. A ledger that does not answer is ``order_desk_ledger_up 0``, not a failed scrape.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from core.ledger import Ledger
from core.models import OrderFilter, OrderStatus

log = logging.getLogger(__name__)

TTL = 10.0  # seconds a reading is reused
WAITING = (OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL)  # where an order can get stuck


class LedgerGauges(Collector):
    """``ledger`` returns the ledger to read, or None while there is none (``serve`` still starting)."""

    def __init__(self, ledger: Callable[[], Ledger | None]) -> None:
        self._ledger = ledger
        self._lock = threading.Lock()
        self._read_at = -TTL
        self._metrics: list[Metric] = []

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            if time.monotonic() - self._read_at >= TTL:
                self._metrics = self._read()
                self._read_at = time.monotonic()
            yield from self._metrics

    def _read(self) -> list[Metric]:
        up = GaugeMetricFamily("order_desk_ledger_up", "Whether the ledger database answered the last reading")
        ledger = self._ledger()
        if ledger is None:
            return []
        try:
            counts = {status: ledger.count(OrderFilter.of(status)) for status in OrderStatus}
            oldest = {status: ledger.oldest(status) for status in WAITING}
            stuck = len(ledger.stuck_orders())
        except SQLAlchemyError as err:
            log.warning("Metrics: the ledger does not answer: %s", type(err).__name__)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        orders = GaugeMetricFamily("order_desk_orders", "Orders in the ledger by status", labels=["status"])
        for status, count in counts.items():
            orders.add_metric([status.value], count)
        age = GaugeMetricFamily("order_desk_oldest_order_age_seconds",
                                "Age of the oldest order still in this status (0: none)", labels=["status"])
        now = datetime.now(UTC)
        for status, created in oldest.items():
            age.add_metric([status.value], (now - created).total_seconds() if created else 0.0)
        failing = GaugeMetricFamily("order_desk_ledger_stuck_orders",
                                    "Orders whose ledger write failed twice or more in a row (/healthz degraded)")
        failing.add_metric([], stuck)
        return [up, orders, age, failing]

