"""The workflow keeps the ledger equal to its own details, and the ledger outlives Temporal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.worker import Worker

from core.admin import rebuild_ledger
from core.embedded_server import EmbeddedServer
from core.errors import InvalidTransition
from core.models import Actor, OrderFilter, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import assert_eventually, free_port
from tests.test_workflow import ALICE, BOB, pending_order, wait_closed, wait_for_status

VIETNAMESE = "Máy tính xách tay Đặc biệt — bàn phím cơ"


async def assert_ledger_matches(service: OrderService, order_id: str) -> None:
    await wait_closed(service, order_id)
    workflow_details = await service.details(order_id)

    async def matches() -> None:
        stored = service.ledger.get(order_id)
        assert stored is not None
        assert stored.model_dump(exclude={"fulfilled"}) == workflow_details.model_dump(exclude={"fulfilled"})
    await assert_eventually(matches)


@pytest.mark.parametrize("decide", ["approve", "reject", "cancel"])
async def test_ledger_equals_details_after_each_decision(service: OrderService, worker: Worker, decide: str) -> None:
    order_id = await pending_order(service, OrderRequest(item=VIETNAMESE, quantity=2))
    await getattr(service, decide)(order_id, BOB, f"{decide} reason")
    await assert_ledger_matches(service, order_id)


async def test_ledger_equals_details_after_validation_failure_and_retries(
        settings: Settings) -> None:
    tricky = settings.model_copy(update={"blocked_items": ["plutonium"], "simulate_validation_failures": 1})
    service = await OrderService.connect(tricky, settings.temporal_address)
    async with build_worker(service.client, tricky):
        rejected = await service.create_order(OrderRequest(item="Plutonium", quantity=1), ALICE)
        await assert_ledger_matches(service, rejected)
        cancelled = await service.create_order(OrderRequest(item="Slow", quantity=1), ALICE)
        await service.cancel(cancelled, ALICE)
        await assert_ledger_matches(service, cancelled)


async def test_rebuild_restores_a_lost_ledger(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    await service.approve(order_id, BOB)
    await wait_closed(service, order_id)
    with service.ledger.engine.begin() as db:
        from core.ledger.schema import orders, transitions

        db.execute(transitions.delete())
        db.execute(orders.delete())
    assert service.ledger.get(order_id) is None
    rebuilt, unreadable = await rebuild_ledger(service)
    assert (rebuilt, unreadable) == (1, {})
    await assert_ledger_matches(service, order_id)


async def test_orders_outlive_temporal(settings: Settings, service: OrderService, worker: Worker,
                                       tmp_path: Path) -> None:
    """Decide orders, then read them through a brand-new, empty Temporal server with the same ledger."""
    approved = await pending_order(service, OrderRequest(item=VIETNAMESE, quantity=3))
    await service.approve(approved, BOB, "đồng ý")
    cancelled = await pending_order(service)
    await service.cancel(cancelled, ALICE)
    for order_id in (approved, cancelled):
        await assert_ledger_matches(service, order_id)
    before = await service.details(approved)

    fresh = EmbeddedServer(Settings(_env_file=None, data_dir=tmp_path / "fresh-temporal",
                                    embedded_port=free_port(), embedded_ui_port=free_port()))
    address = await fresh.start()
    try:
        after_loss = await OrderService.connect(settings.model_copy(update={"temporal_address": address}), address)
        assert await after_loss.status(approved) == OrderStatus.APPROVED
        assert await after_loss.details(approved) == before.model_copy(update={"fulfilled": True})
        assert (await after_loss.details(approved)).item == VIETNAMESE
        assert approved in [o.order_id for o in await after_loss.list_orders(OrderFilter.of(OrderStatus.APPROVED))]
        csv_text = "".join([c async for c in after_loss.export_csv(OrderFilter.of(OrderStatus.APPROVED))])
        assert VIETNAMESE in csv_text and approved in csv_text and cancelled not in csv_text
        with pytest.raises(InvalidTransition):
            await after_loss.cancel(approved, ALICE)
    finally:
        fresh.stop()


async def history(service: OrderService, order_id: str) -> list[HistoryEvent]:
    return [event async for event in service.client.get_workflow_handle(order_id).fetch_history_events()]


def notices(events: list[HistoryEvent]) -> int:
    """How many times the workflow asked the manager: the first notice, then one per reminder."""
    return sum(e.activity_task_scheduled_event_attributes.activity_type.name == "notify_manager"
               for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)


def timers(events: list[HistoryEvent]) -> list[HistoryEvent]:
    return [e for e in events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED]


async def waiting_order(service: OrderService) -> tuple[str, datetime]:
    """A pending order whose workflow waits for a decision on its first timer; and when that timer started (the
    wait began at most then)."""
    order_id = await pending_order(service)

    async def waiting() -> datetime:
        started = timers(await history(service, order_id))
        assert started, "the workflow is not waiting on a timer yet"
        return started[0].event_time.ToDatetime(tzinfo=UTC)
    return order_id, await assert_eventually(waiting)


async def test_missed_reminders_collapse_into_one_and_the_deadline_survives_a_stopped_worker(
        settings: Settings) -> None:
    """The worker is down while several reminders and the deadline fall due: when it is back, one reminder is
    sent (missed ones collapse into one), then the order expires."""
    deadline = timedelta(seconds=6)
    timed = Settings(**{**settings.model_dump(), "approval_reminder": 1, "approval_deadline": deadline})
    service = await OrderService.connect(timed, settings.temporal_address)
    async with build_worker(service.client, timed):
        order_id, waiting_since = await waiting_order(service)
    reminded_before = notices(await history(service, order_id)) - 1

    async def deadline_passed_while_down() -> None:
        assert datetime.now(UTC) > waiting_since + deadline
        fired = [e for e in await history(service, order_id) if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED]
        assert fired, "the pending reminder timer has not fired yet"
    await assert_eventually(deadline_passed_while_down, timeout=30)
    assert reminded_before <= 3, "the worker took too long to stop: fewer than two reminders were missed"

    async with build_worker(service.client, timed):
        await wait_for_status(service, order_id, OrderStatus.EXPIRED)
        await wait_closed(service, order_id)
        details = await service.details(order_id)
        with pytest.raises(InvalidTransition) as refused:
            await service.approve(order_id, BOB)
    assert refused.value.current_status == OrderStatus.EXPIRED
    assert details.reminders == reminded_before + 1
    assert details.history[-1].status == OrderStatus.EXPIRED and details.history[-1].actor == "system"
    assert service.ledger.fulfilment_outcome(order_id) == "EXPIRED"
    assert service.ledger.get(order_id).status == OrderStatus.EXPIRED  # type: ignore[union-attr]


async def test_a_reminder_due_at_the_deadline_is_not_sent(settings: Settings) -> None:
    timed = Settings(**{**settings.model_dump(), "approval_reminder": 1, "approval_deadline": 1})
    service = await OrderService.connect(timed, settings.temporal_address)
    async with build_worker(service.client, timed):
        order_id = await pending_order(service)
        await wait_closed(service, order_id)
        details = await service.details(order_id)
    assert details.status == OrderStatus.EXPIRED
    assert details.reminders == 0 and [t.kind for t in details.history].count("reminder") == 0
    assert notices(await history(service, order_id)) == 1


@pytest.mark.parametrize(("reminder", "deadline", "first_timer"), [
    (60, 3600, 60), (3600, 60, 60), (60, None, 60), (None, 60, 60), (60, 60, 60)])
async def test_a_pending_order_sleeps_until_its_earliest_wake_up(
        settings: Settings, reminder: int | None, deadline: int | None,
        first_timer: int) -> None:
    timed = Settings(**{**settings.model_dump(), "approval_reminder": reminder, "approval_deadline": deadline})
    service = await OrderService.connect(timed, settings.temporal_address)
    async with build_worker(service.client, timed):
        order_id, _ = await waiting_order(service)
        await service.cancel(order_id, ALICE)
        await wait_closed(service, order_id)
    [timer] = timers(await history(service, order_id))
    assert timer.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta() == timedelta(seconds=first_timer)


async def test_without_reminder_or_deadline_a_pending_order_waits_on_no_timer(service: OrderService,
                                                                             worker: Worker) -> None:
    untimed = OrderService(service.client, service.settings.model_copy(update={"approval_reminder": None}),
                           service.ledger)
    order_id = await pending_order(untimed)
    await untimed.cancel(order_id, ALICE)
    await wait_closed(untimed, order_id)
    assert timers(await history(untimed, order_id)) == []


async def test_reminders_repeat_while_pending(settings: Settings) -> None:
    timed = Settings(**{**settings.model_dump(), "approval_reminder": 1})
    service = await OrderService.connect(timed, settings.temporal_address)
    async with build_worker(service.client, timed):
        order_id = await pending_order(service)

        async def reminded_twice() -> None:
            history = (await service.details(order_id)).history
            assert sum(t.kind == "reminder" for t in history) >= 2
        await assert_eventually(reminded_twice, timeout=20)
        assert await service.approve(order_id, Actor(name="mona")) == OrderStatus.APPROVED
        await wait_closed(service, order_id)
    reminders = (await service.details(order_id)).reminders
    assert notices(await history(service, order_id)) == reminders + 1  # each reminder notified the manager


async def test_an_order_carrying_a_negative_reminder_interval_is_reminded_once_and_still_decided(
        service: OrderService, worker: Worker) -> None:
    """Settings refuse a negative interval now; an order created before they did carries one. Its wait looped for
    ever at the first reminder (the workflow task failed as a deadlock at every retry): no decision ever reached it."""
    negative = OrderService(service.client, service.settings.model_copy(  # model_copy does not validate, as before
        update={"approval_reminder": timedelta(seconds=-5), "approval_deadline": None}), service.ledger)
    order_id = await pending_order(negative)

    async def reminded() -> None:
        assert (await negative.details(order_id)).reminders == 1
    await assert_eventually(reminded, timeout=20)
    assert await negative.approve(order_id, BOB) is OrderStatus.APPROVED
    await wait_closed(negative, order_id)
    assert (await negative.details(order_id)).reminders == 1
