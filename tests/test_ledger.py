"""The ledger on SQLite and on a real PostgreSQL server: idempotent writes, filters, paging, export."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.ledger import Ledger
from core.ledger.migrate import current, head
from core.models import OrderDetails, OrderFilter, OrderStatus, Transition

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def order(n: int, status: OrderStatus = OrderStatus.PENDING_APPROVAL, item: str | None = None,
          created_by: str = "alice") -> OrderDetails:
    created = T0 + timedelta(minutes=n)
    history = [Transition(status=OrderStatus.VALIDATING, at=created, actor=created_by)]
    if status is not OrderStatus.VALIDATING:
        history.append(Transition(status=OrderStatus.PENDING_APPROVAL, at=created + timedelta(seconds=1),
                                  actor="system"))
    if status.is_final:
        history.append(Transition(status=status, at=created + timedelta(seconds=2), actor="mona", reason="ok"))
    history = [t.model_copy(update={"seq": seq}) for seq, t in enumerate(history)]
    return OrderDetails(order_id=f"order_{n:06d}", item=item or f"Item {n}", quantity=n, status=status,
                        created_by=created_by, created_at=created, updated_at=history[-1].at, history=history)


@pytest.fixture
def ledger(ledger_url: str) -> Ledger:
    ledger = Ledger(ledger_url)
    yield ledger
    ledger.close()


def test_migrations_are_applied_on_open(ledger: Ledger) -> None:
    assert current(ledger.engine) == head()


def test_recording_twice_changes_nothing(ledger: Ledger) -> None:
    details = order(1, OrderStatus.APPROVED)
    ledger.record(details)
    ledger.record(details)
    stored = ledger.get(details.order_id)
    assert stored is not None
    assert stored.model_dump(exclude={"fulfilled"}) == details.model_dump(exclude={"fulfilled"})
    assert ledger.count() == 1


def test_an_older_write_never_regresses_the_status(ledger: Ledger) -> None:
    ledger.record(order(1, OrderStatus.APPROVED))
    ledger.record(order(1, OrderStatus.PENDING_APPROVAL))  # a retried earlier write arriving late
    stored = ledger.get("order_000001")
    assert stored is not None and stored.status == OrderStatus.APPROVED and len(stored.history) == 3


def test_exact_item_text_round_trips(ledger: Ledger) -> None:
    item = "Máy tính xách tay <b>Đặc biệt</b> 100% \"quoted\" 'x' \\ _"
    ledger.record(order(1, item=item))
    stored = ledger.get("order_000001")
    assert stored is not None and stored.item == item


def test_filters_combine(ledger: Ledger) -> None:
    ledger.record(order(1, OrderStatus.APPROVED, item="Bàn phím cơ"))
    ledger.record(order(2, OrderStatus.PENDING_APPROVAL, item="BÀN PHÍM không dây", created_by="bob"))
    ledger.record(order(3, OrderStatus.APPROVED, item="Chuột"))
    ledger.record(order(4, OrderStatus.REJECTED, item="100% cotton_shirt"))

    def ids(**kwargs: object) -> list[str]:
        return [o.order_id for o in ledger.list(OrderFilter(**kwargs))]  # type: ignore[arg-type]

    assert ids() == ["order_000004", "order_000003", "order_000002", "order_000001"]  # newest first
    assert ids(statuses={OrderStatus.APPROVED}) == ["order_000003", "order_000001"]
    decided = {OrderStatus.APPROVED, OrderStatus.REJECTED}
    assert ids(statuses=decided) == ["order_000004", "order_000003", "order_000001"]  # several statuses, one query
    assert ids(q="bàn phím") == ["order_000002", "order_000001"]  # case-insensitive, Vietnamese too
    assert ids(q="bàn phím", statuses={OrderStatus.APPROVED}) == ["order_000001"]
    assert ids(created_by="bob") == ["order_000002"]
    assert ids(q="100%") == ["order_000004"] and ids(q="t_n") == []  # LIKE wildcards are literal
    assert ids(since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4)) == ["order_000003", "order_000002"]
    assert ledger.count(OrderFilter.of(OrderStatus.APPROVED)) == 2


def test_pages_neither_overlap_nor_skip(ledger: Ledger) -> None:
    for n in range(25):
        ledger.record(order(n))
    pages = [ledger.list(limit=10, offset=offset) for offset in (0, 10, 20)]
    ids = [o.order_id for page in pages for o in page]
    assert [len(page) for page in pages] == [10, 10, 5]
    assert len(set(ids)) == 25


def test_stream_yields_everything_in_chunks(ledger: Ledger) -> None:
    for n in range(23):
        ledger.record(order(n, OrderStatus.APPROVED if n % 2 else OrderStatus.REJECTED))
    chunks = list(ledger.stream(OrderFilter.of(OrderStatus.APPROVED), chunk=5))
    assert [len(chunk) for chunk in chunks] == [5, 5, 1]
    assert all(o.status == OrderStatus.APPROVED for chunk in chunks for o in chunk)


def test_fulfilment_is_recorded_once(ledger: Ledger) -> None:
    from core.models import FulfilmentInput

    entry = FulfilmentInput(order_id="order_000001", outcome=OrderStatus.APPROVED, actor="mona")
    assert ledger.record_fulfilment(entry) is True
    assert ledger.record_fulfilment(entry) is False
    assert ledger.fulfilment_count("order_000001") == 1


def test_db_upgrade_command(tmp_path: Path) -> None:
    env_db = tmp_path / "fresh.db"
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "db", "upgrade"], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "ORDER_DESK_DATABASE_URL": f"sqlite:///{env_db}",
             "ORDER_DESK_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert current(Ledger(f"sqlite:///{env_db}", migrate=False).engine) == head()
    assert head() in result.stdout


async def test_csv_export_is_excel_friendly(tmp_path: Path) -> None:
    from core.service import OrderService
    from core.settings import Settings

    settings = Settings(_env_file=None, data_dir=tmp_path)
    ledger = Ledger(settings.ledger_url)
    ledger.record(order(1, OrderStatus.APPROVED, item="Bàn phím, \"cơ\""))
    ledger.record(order(2, OrderStatus.REJECTED))
    from temporalio.client import Client

    service = OrderService(await Client.connect("127.0.0.1:1", lazy=True), settings, ledger)
    text = "".join([chunk async for chunk in service.export_csv(OrderFilter.of(OrderStatus.APPROVED))])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["order_id", "item", "quantity", "status", "created_by", "created_at", "updated_at",
                       "unit_price", "currency", "amount", "awaiting_role", "signatures"]
    assert rows[1][:4] == ["order_000001", "Bàn phím, \"cơ\"", "1", "APPROVED"] and len(rows) == 2


def test_search_matches_decomposed_vietnamese(ledger: Ledger) -> None:
    import unicodedata

    ledger.record(order(1, item=unicodedata.normalize("NFD", "Bàn phím cơ")))
    assert [o.order_id for o in ledger.list(OrderFilter(q="bàn phím"))] == ["order_000001"]
    assert [o.order_id for o in ledger.list(OrderFilter(q=unicodedata.normalize("NFD", "PHÍM")))] == ["order_000001"]


def test_a_cancelled_order_reads_back_finished_and_an_approved_one_only_with_its_fulfilment(ledger: Ledger) -> None:
    """Cancelling has no fulfilment activity: the order is finished as soon as it is cancelled."""
    from core.models import FulfilmentInput

    ledger.record(order(1, OrderStatus.CANCELLED))
    ledger.record(order(2, OrderStatus.APPROVED))
    assert ledger.get("order_000001").fulfilled  # type: ignore[union-attr]
    assert not ledger.get("order_000002").fulfilled  # type: ignore[union-attr]
    ledger.record_fulfilment(FulfilmentInput(order_id="order_000002", outcome=OrderStatus.APPROVED, actor="mona"))
    assert ledger.get("order_000002").fulfilled  # type: ignore[union-attr]


def test_writes_in_any_order_leave_the_newest_state(ledger: Ledger) -> None:
    """Each activity writes the transitions it follows; a retry of an earlier one may land after a later one."""
    from core.models import LedgerEntry

    approved = order(1, OrderStatus.APPROVED)
    validating, pending = (approved.model_copy(update={"status": s, "history": approved.history[:n]})
                           for s, n in ((OrderStatus.VALIDATING, 1), (OrderStatus.PENDING_APPROVAL, 2)))
    ledger.write(LedgerEntry.of(validating))
    ledger.write(LedgerEntry.of(pending, first_seq=1))
    ledger.write(LedgerEntry.of(approved, first_seq=2))
    ledger.write(LedgerEntry.of(pending, first_seq=1))  # a late retry
    ledger.write(LedgerEntry.of(validating))
    stored = ledger.get("order_000001")
    assert stored is not None and stored.status is OrderStatus.APPROVED
    assert stored.model_dump(exclude={"fulfilled"}) == approved.model_dump(exclude={"fulfilled"})


def test_stream_pages_through_orders_created_at_the_same_instant(ledger: Ledger) -> None:
    """Orders that share ``created_at`` are told apart by their ID: none twice, none skipped."""
    for n in range(12):
        ledger.record(order(n).model_copy(update={"created_at": T0}))
    streamed = [o.order_id for chunk in ledger.stream(chunk=5) for o in chunk]
    assert streamed == sorted((f"order_{n:06d}" for n in range(12)), reverse=True)


def test_processes_opening_one_new_ledger_together_migrate_it_once(tmp_path: Path) -> None:
    """serve and a worker started side by side on a new SQLite ledger: without the lock taken before the revision
    is read, all but one died with "table orders already exists" (seen with the bundle's compose topology)."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    opener = "import sys; from core.ledger import Ledger; Ledger(sys.argv[1]).close()"
    processes = [subprocess.Popen([sys.executable, "-c", opener, url], stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
    outcomes = [(process.wait(timeout=120), process.stderr.read() if process.stderr else "") for process in processes]
    assert [code for code, _ in outcomes] == [0] * 6, [error[-400:] for code, error in outcomes if code]
    ledger = Ledger(url)
    try:
        assert current(ledger.engine) == head()
    finally:
        ledger.close()


def test_a_new_ledger_waits_for_the_lock_it_needs_to_enter_wal_mode(tmp_path: Path) -> None:
    """Switching a new file to WAL needs it to itself, and SQLite refuses at once (no busy handler) while another
    process holds a lock: one of six processes opening one new ledger together died "database is locked" in CI."""
    path = tmp_path / "ledger.db"
    # a rollback-journal file, as every new one starts, with a lock held by another connection
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: (holder.execute("COMMIT"), holder.close()))
    release.start()
    try:
        ledger = Ledger(f"sqlite:///{path}")
    finally:
        release.join()
    try:
        assert current(ledger.engine) == head()
        with ledger.engine.connect() as db:
            assert db.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        ledger.close()
