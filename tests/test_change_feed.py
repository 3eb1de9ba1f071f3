"""The ledger's change feed, on SQLite and on a real PostgreSQL server: one change per new history entry, written in
the same transaction, none for a retried write; numbered so that a reader asking for ``seq > last`` misses nothing,
however many writers commit at once; and, through a real workflow, every step of an order in order."""

from __future__ import annotations

import asyncio
import gc
import itertools
import threading
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.worker import Worker

from core.change_feed import ChangeFeedWaker
from core.ledger import Ledger
from core.ledger.schema import orders, transitions
from core.models import (
    Actor,
    FulfilmentInput,
    LedgerEntry,
    OrderDetails,
    OrderRequest,
    OrderStatus,
    Transition,
)
from core.service import OrderService
from core.settings import Settings
from core.temporal_client import connect
from tests.helpers import assert_eventually

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def new_order(order_id: str) -> OrderDetails:
    return OrderDetails(order_id=order_id, item="Máy chiếu", quantity=2, status=OrderStatus.VALIDATING,
                        created_by="Nguyễn Văn An", created_at=T0, updated_at=T0,
                        history=[Transition(status=OrderStatus.VALIDATING, at=T0, actor="Nguyễn Văn An", seq=0)])


def moved(details: OrderDetails, status: OrderStatus, at: datetime, actor: str = "system",
          kind: str = "transition") -> OrderDetails:
    history = [*details.history, Transition(status=status, at=at, actor=actor, kind=kind, seq=len(details.history))]
    updated_at = at if kind == "transition" else details.updated_at
    return details.model_copy(update={"status": status, "updated_at": updated_at, "history": history})


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    ledger = Ledger(ledger_url)
    yield ledger
    ledger.close()


def test_each_new_entry_is_one_change_and_a_retry_adds_none(ledger: Ledger) -> None:
    created = new_order("order_000001")
    pending = moved(created, OrderStatus.PENDING_APPROVAL, T0 + timedelta(seconds=1))
    reminded = moved(pending, OrderStatus.PENDING_APPROVAL, T0 + timedelta(hours=24), kind="reminder")

    ledger.write(LedgerEntry.of(created))
    ledger.write(LedgerEntry.of(created))  # the activity retried
    ledger.write(LedgerEntry.of(reminded, first_seq=1))
    ledger.write(LedgerEntry.of(pending))  # an older write arriving late

    feed = ledger.changes(0)
    assert [(c.seq, c.kind, c.status, c.actor) for c in feed] == [
        (1, "created", OrderStatus.VALIDATING, "Nguyễn Văn An"),
        (2, "transition", OrderStatus.PENDING_APPROVAL, "system"),
        (3, "reminder", OrderStatus.PENDING_APPROVAL, "system"),
    ]
    # Each change carries the order as it was right after it; a reminder leaves updated_at alone.
    assert [(c.order.status, c.order.updated_at) for c in feed] == [
        (OrderStatus.VALIDATING, T0), (OrderStatus.PENDING_APPROVAL, T0 + timedelta(seconds=1)),
        (OrderStatus.PENDING_APPROVAL, T0 + timedelta(seconds=1))]
    assert {(c.order.item, c.order.quantity, c.order.created_by) for c in feed} == {("Máy chiếu", 2, "Nguyễn Văn An")}
    assert ledger.changes(2) == feed[2:] and ledger.changes(0, limit=1) == feed[:1]
    assert ledger.last_change() == 3


def test_the_final_entry_is_announced_with_its_fulfilment_once(ledger: Ledger) -> None:
    pending = moved(new_order("order_000002"), OrderStatus.PENDING_APPROVAL, T0 + timedelta(seconds=1))
    approved = moved(pending, OrderStatus.APPROVED, T0 + timedelta(seconds=5), actor="mona")
    ledger.write(LedgerEntry.of(pending))
    fulfil = FulfilmentInput(order_id=approved.order_id, outcome=OrderStatus.APPROVED, actor="mona",
                             ledger=LedgerEntry.of(approved, first_seq=2))

    assert ledger.record_fulfilment(fulfil) is True
    assert ledger.record_fulfilment(fulfil) is False  # the activity retried

    assert [(c.kind, c.status, c.actor) for c in ledger.changes(2)] == [("transition", OrderStatus.APPROVED, "mona")]
    assert ledger.last_change() == 3


def test_rows_rebuilt_after_a_loss_are_not_announced_again(ledger: Ledger) -> None:
    pending = moved(new_order("order_000003"), OrderStatus.PENDING_APPROVAL, T0 + timedelta(seconds=1))
    ledger.write(LedgerEntry.of(pending))
    with ledger.engine.begin() as db:  # the orders and their history lost; the feed kept
        db.execute(transitions.delete())
        db.execute(orders.delete())

    ledger.record(pending)  # `order-desk ledger rebuild`

    assert [(c.seq, c.status) for c in ledger.changes(0)] == [
        (1, OrderStatus.VALIDATING), (2, OrderStatus.PENDING_APPROVAL)]


def test_an_empty_feed_starts_at_zero(ledger: Ledger) -> None:
    assert ledger.last_change() == 0
    assert ledger.changes(0) == []


def test_a_reader_of_seq_after_last_misses_nothing_while_writers_commit_at_once(ledger: Ledger) -> None:
    """Without the feed lock, PostgreSQL lets a higher seq commit before a lower one, and such a reader skips the
    lower one for good (about 5% of 1600 writes from 8 threads were missed when measured; docs/LEDGER.md)."""
    writers, per_writer = 6, 40
    seen: list[int] = []
    writing = threading.Event()
    writing.set()

    def write(number: int) -> None:
        for n in range(per_writer):
            ledger.write(LedgerEntry.of(new_order(f"order_{number:02d}{n:04d}")))

    def read() -> None:
        last = 0
        while True:
            finished = not writing.is_set()
            batch = ledger.changes(last, 1000)
            seen.extend(change.seq for change in batch)
            last = batch[-1].seq if batch else last
            if finished and not batch:
                return

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    reader.join()

    everything = [change.seq for change in ledger.changes(0, 10_000)]
    assert len(everything) == writers * per_writer
    assert seen == everything


async def test_an_order_s_steps_arrive_in_the_feed_in_order(service: OrderService, worker: Worker) -> None:
    start = await service.last_change()
    order_id = await service.create_order(OrderRequest(item="Laptop Gaming XYZ", quantity=1), Actor(name="alice"))

    async def pending() -> None:
        assert await service.status(order_id) == OrderStatus.PENDING_APPROVAL

    await assert_eventually(pending)
    await service.approve(order_id, Actor(name="mona"), "ok")

    async def all_written() -> list:
        changes = [c for c in await service.changes(start) if c.order_id == order_id]
        assert [(c.kind, c.status, c.actor) for c in changes] == [
            ("created", OrderStatus.VALIDATING, "alice"), ("transition", OrderStatus.PENDING_APPROVAL, "system"),
            ("transition", OrderStatus.APPROVED, "mona")]
        return changes

    changes = await assert_eventually(all_written)
    assert changes[-1].reason == "ok" and changes[-1].order.status == OrderStatus.APPROVED
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)
    assert await service.last_change() >= changes[-1].seq


async def test_a_change_written_by_this_process_wakes_its_followers_before_the_next_poll(settings: Settings) -> None:
    """The embedded worker's ledger write tells the service's followers at once (``core.ledger.local``); with a
    60 s poll only that can bring the change. A ledger of another process is still found by the poll."""
    service = OrderService(await connect(settings, settings.temporal_address),
                           settings.model_copy(update={"events_poll": 60.0}), Ledger(settings.ledger_url))
    worker_ledger = Ledger(settings.ledger_url)  # the worker's own Ledger object, as build_worker makes it
    try:
        changes = service.follow_changes(quiet=120.0)
        first = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0.2)  # the follower is waiting, its poller asleep for a minute
        await asyncio.to_thread(worker_ledger.write, LedgerEntry.of(new_order("order_0000a1")))
        batch = await asyncio.wait_for(first, 30)
        assert [(change.order_id, change.kind) for change in batch] == [("order_0000a1", "created")]
        await changes.aclose()
    finally:
        worker_ledger.close()
        service.ledger.close()


async def test_a_quiet_feed_is_looked_at_less_often_until_another_process_writes(ledger: Ledger) -> None:
    """With ``quiet_interval`` (a desk on its own embedded server), the looks at a feed that does not change slow
    down to one every ``quiet_interval``; a write this process announces (``nudge``) is looked at at once and the looks
    slow down again; a change no nudge announced (another process's worker) is still found within
    ``quiet_interval``, and from then on the looks stay at ``interval`` (``FOREIGN_HOLD``)."""
    looks: list[float] = []
    loop = asyncio.get_running_loop()

    async def head() -> int:
        looks.append(loop.time())
        return await asyncio.to_thread(ledger.last_change)

    def gaps() -> list[float]:
        return [b - a for a, b in itertools.pairwise(looks)]

    async def write(order_id: str, announce: bool) -> float:
        seq = await asyncio.to_thread(ledger.last_change)
        await asyncio.to_thread(ledger.write, LedgerEntry.of(new_order(order_id)))
        if announce:
            waker.nudge()
        written = loop.time()
        assert await waker.wait_past(seq, timeout=5.0)
        return loop.time() - written

    waker = ChangeFeedWaker(head, interval=0.05, quiet_interval=0.4)
    async with waker.following():
        await asyncio.sleep(2.0)
        assert len(looks) < 12, f"{len(looks)} looks in 2 s: a poll every 0.05 s would be 40"
        assert min(gaps()[:2]) < 0.2 and max(gaps()) >= 0.35, gaps()  # from the interval to the quiet one

        assert await write("order_0000b1", announce=True) < 0.2, "a nudge is looked at at once"
        looks.clear()
        await asyncio.sleep(2.0)
        assert len(looks) < 12 and max(gaps()) >= 0.35, gaps()  # this process's own writes: quiet again

        assert await write("order_0000b2", announce=False) < 0.6, "found by the quiet poll"
        looks.clear()
        await asyncio.sleep(1.0)
        assert len(looks) >= 10 and max(gaps()) < 0.2, gaps()  # another process writes: full speed


def test_sqlite_writers_of_one_process_take_turns_on_one_lock(ledger: Ledger) -> None:
    """Two Ledger objects on one SQLite file share a write lock (queued in Python, not slept on by SQLite's busy
    handler); PostgreSQL needs none."""
    other = Ledger(ledger.url)
    try:
        assert other.local is ledger.local
        assert ledger.local.serialise_writes is (ledger.engine.dialect.name == "sqlite")
    finally:
        other.close()


async def test_a_closed_service_is_let_go(settings: Settings) -> None:
    """The ledger's listeners live per database for the process's life; a service that followed the feed and was
    closed (a desk signing in to a team server stops its runtime) is no longer held by them, nor its Temporal client."""
    service = await OrderService.connect(settings, settings.temporal_address)
    changes = service.follow_changes(quiet=0.1)
    assert await anext(changes) == []  # followed: its waker listens to this process's writes
    await changes.aclose()
    service.close()
    gone = weakref.ref(service)
    del service, changes
    await asyncio.sleep(3 * settings.events_poll)  # the waker's poller sees no follower and ends

    async def freed() -> None:
        gc.collect()
        assert gone() is None, gc.get_referrers(gone())

    await assert_eventually(freed, timeout=5.0)
