"""Ledger speed: one page of 50 out of N orders with a status + text filter, and a streamed CSV export.

    .venv/bin/python -m bench.ledger [N]          # default 100,000 orders, SQLite and PostgreSQL

Targets: page p99 < 20 ms on both; the export's peak memory does not grow with N.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from core.ledger import Ledger
from core.ledger.schema import orders, transitions
from core.models import OrderFilter, OrderStatus
from core.text import fold

WORDS = ["Laptop", "Bàn phím", "Chuột", "Màn hình", "Máy in", "Ổ cứng", "Tai nghe", "Loa", "Cáp", "Ghế"]
STATUSES = [OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.PENDING_APPROVAL]
QUERIES = 300


def fill(ledger: Ledger, count: int) -> None:
    chaos = random.Random(7)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    batch_orders, batch_transitions = [], []
    with ledger.engine.begin() as db:
        for n in range(count):
            item = f"{chaos.choice(WORDS)} {chaos.choice(WORDS)} #{n}"
            created = start + timedelta(seconds=n * 30)
            status = chaos.choices(STATUSES, weights=[60, 15, 10, 15])[0]
            batch_orders.append({
                "order_id": f"order_{n:012x}", "item": item, "item_folded": fold(item), "quantity": n % 50 + 1,
                "status": status.value, "created_by": f"user{n % 40}", "created_at": created,
                "updated_at": created + timedelta(minutes=5), "last_seq": 1,
            })
            batch_transitions.append({"order_id": f"order_{n:012x}", "seq": 0, "status": "VALIDATING",
                                      "at": created, "actor": f"user{n % 40}", "reason": None, "kind": "transition"})
            if len(batch_orders) == 5000:
                db.execute(insert(orders), batch_orders)
                db.execute(insert(transitions), batch_transitions)
                batch_orders, batch_transitions = [], []
        if batch_orders:
            db.execute(insert(orders), batch_orders)
            db.execute(insert(transitions), batch_transitions)
    if ledger.engine.dialect.name == "postgresql":
        with ledger.engine.begin() as db:
            db.exec_driver_sql("ANALYZE")


def page_latency(ledger: Ledger) -> tuple[float, float]:
    chaos = random.Random(11)
    timings = []
    for _ in range(QUERIES):
        where = OrderFilter.of(chaos.choice(STATUSES), q=chaos.choice(WORDS).casefold()[:4])
        started = time.perf_counter()
        page = ledger.list(where, limit=50, offset=0)
        timings.append((time.perf_counter() - started) * 1000)
        assert page
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def export_peak(ledger: Ledger) -> tuple[int, float, float]:
    from core.csv_export import csv_rows

    tracemalloc.start()
    started = time.perf_counter()
    rows = 0
    for chunk in ledger.stream(OrderFilter(), chunk=1000):
        csv_rows([[o.order_id, o.item, o.quantity, o.status.value] for o in chunk])
        rows += len(chunk)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, elapsed, peak / 1e6


def run(name: str, url: str, count: int) -> None:
    ledger = Ledger(url)
    started = time.perf_counter()
    fill(ledger, count)
    print(f"{name:10} filled {count:,} orders in {time.perf_counter() - started:.1f} s")
    p50, p99 = page_latency(ledger)
    print(f"{name:10} page of 50, status + text filter: p50 {p50:.2f} ms  p99 {p99:.2f} ms  (target p99 < 20 ms)")
    rows, elapsed, peak = export_peak(ledger)
    print(f"{name:10} CSV export: {rows:,} rows in {elapsed:.1f} s, peak Python memory {peak:.1f} MB")
    ledger.close()


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'ledger.db'}", count)
    from tests.postgres import pg_bin_dir, postgres_server

    if pg_bin_dir() is None:
        print("postgresql: not installed (apt-get install postgresql); skipped")
        return
    with postgres_server() as url:
        run("postgresql", url, count)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
