"""History stays bounded: an order left pending with frequent reminders continues as a new run every
``REMINDERS_PER_RUN`` reminders and keeps only its latest reminders in its state, while the ledger keeps every
one; activities carry only what is new. Hundreds of reminders on a short interval, on the real dev server."""

from __future__ import annotations

from datetime import timedelta

from temporalio.api.enums.v1 import EventType

from core.models import Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import assert_eventually
from tests.test_workflow import wait_closed, wait_for_status
from workflows.order_approval import REMINDERS_KEPT, REMINDERS_PER_RUN

REMINDERS = 2 * REMINDERS_PER_RUN + 20
EVENTS_PER_RUN = 12 * REMINDERS_PER_RUN + 60  # a reminder is a timer and an activity: about 11 events
LARGEST_ACTIVITY_INPUT = 2048  # bytes: a summary and the new transitions, never the whole history


async def test_a_much_reminded_order_keeps_its_history_bounded(settings: Settings, temporal_address: str) -> None:
    settings = settings.model_copy(update={"approval_reminder": timedelta(milliseconds=20)})
    service = await OrderService.connect(settings, temporal_address)
    async with build_worker(service.client, settings):
        order_id = await service.create_order(OrderRequest(item="Bàn", quantity=1), Actor(name="alice"))
        await wait_for_status(service, order_id, OrderStatus.PENDING_APPROVAL)

        async def reminded_enough() -> None:
            stored = service.ledger.get(order_id)
            assert stored is not None and stored.reminders >= REMINDERS

        await assert_eventually(reminded_enough, timeout=300, interval=0.5)
        running = await service.details(order_id)
        assert running.status is OrderStatus.PENDING_APPROVAL and running.reminders >= REMINDERS
        assert sum(t.kind == "reminder" for t in running.history) <= REMINDERS_KEPT + 1
        assert (await service.summary(order_id)).created_at == running.created_at  # not the latest run's start
        assert await service.approve(order_id, Actor(name="mona")) is OrderStatus.APPROVED
        await wait_closed(service, order_id)

    runs = [execution async for execution in service.client.list_workflows(f"WorkflowId = '{order_id}'")]
    assert len(runs) >= REMINDERS // REMINDERS_PER_RUN
    for run in runs:
        history = await service.client.get_workflow_handle(order_id, run_id=run.run_id).fetch_history()
        assert len(history.events) <= EVENTS_PER_RUN, (run.run_id, len(history.events))
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                size = event.activity_task_scheduled_event_attributes.input.ByteSize()
                assert size <= LARGEST_ACTIVITY_INPUT, size

    stored = service.ledger.get(order_id)
    assert stored is not None and stored.status is OrderStatus.APPROVED
    assert [t.seq for t in stored.history] == list(range(len(stored.history)))  # every entry, none twice
    assert stored.reminders == (await service.details(order_id)).reminders >= REMINDERS
