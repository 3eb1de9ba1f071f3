"""Activities scheduled the way older workflows schedule them, on a real worker.

Replay never runs activities, so the replay test cannot see this: an order in flight across an upgrade sends
its activities the arguments of the code it started under. Before the ``ledger-in-activities`` patch that was one
argument (an ``OrderInput`` or a ``FulfilmentInput``); after it, until each activity took one input model, two
(that argument and the whole ``OrderDetails``). The real worker must still run both.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

from core.models import FulfilmentInput, OrderDetails, OrderInput, OrderStatus, Transition
from core.service import OrderService
from core.settings import Settings

ONCE = RetryPolicy(maximum_attempts=1)


@workflow.defn(name="PrePatchScheduler", sandboxed=False)
class PrePatchScheduler:
    @workflow.run
    async def run(self, order: OrderInput, queue: str) -> bool:
        options = {"task_queue": queue, "start_to_close_timeout": timedelta(seconds=10), "retry_policy": ONCE}
        await workflow.execute_activity("validate_order", order, **options)  # type: ignore[arg-type]
        await workflow.execute_activity("notify_manager", order, **options)  # type: ignore[arg-type]
        entry = FulfilmentInput(order_id=order.order_id, outcome=OrderStatus.APPROVED, actor="mona")
        return await workflow.execute_activity("process_approved_order", entry, result_type=bool,
                                               **options)  # type: ignore[arg-type]


@workflow.defn(name="TwoArgumentScheduler", sandboxed=False)
class TwoArgumentScheduler:
    """As ``OrderApprovalWorkflow`` scheduled its activities between ``ledger-in-activities`` and the input models."""

    @workflow.run
    async def run(self, order: OrderInput, queue: str) -> bool:
        options = {"task_queue": queue, "start_to_close_timeout": timedelta(seconds=10), "retry_policy": ONCE}
        history = [OrderStatus.VALIDATING]
        await workflow.execute_activity("validate_order", args=[order, details(order, *history)], **options)
        history.append(OrderStatus.PENDING_APPROVAL)
        await workflow.execute_activity("notify_manager", args=[order, details(order, *history)], **options)
        history.append(OrderStatus.APPROVED)
        entry = FulfilmentInput(order_id=order.order_id, outcome=OrderStatus.APPROVED, actor="mona")
        return await workflow.execute_activity("process_approved_order", args=[entry, details(order, *history)],
                                               result_type=bool, **options)


def details(order: OrderInput, *statuses: OrderStatus) -> OrderDetails:
    at = datetime(2026, 11, 30, tzinfo=UTC)
    return OrderDetails(order_id=order.order_id, item=order.item, quantity=order.quantity, status=statuses[-1],
                        created_by=order.created_by, created_at=at, updated_at=at,
                        history=[Transition(status=status, at=at, actor="system") for status in statuses])


def new_order() -> OrderInput:
    return OrderInput(order_id=f"order_{uuid.uuid4().hex[:12]}", item="Laptop", quantity=1, created_by="alice")


async def test_one_argument_activities_still_run(service: OrderService, settings: Settings, worker: Worker) -> None:
    order = new_order()
    queue = f"{settings.task_queue}-pre-patch"
    async with Worker(service.client, task_queue=queue, workflows=[PrePatchScheduler]):
        recorded = await service.client.execute_workflow(
            PrePatchScheduler.run, args=[order, settings.task_queue], id=f"pre-patch-{order.order_id}",
            task_queue=queue, execution_timeout=timedelta(seconds=60))
    assert recorded is True
    assert service.ledger.fulfilment_outcome(order.order_id) == "APPROVED"


async def test_two_argument_activities_still_run_and_write_the_ledger(
        service: OrderService, settings: Settings, worker: Worker) -> None:
    order = new_order()
    queue = f"{settings.task_queue}-two-arguments"
    async with Worker(service.client, task_queue=queue, workflows=[TwoArgumentScheduler]):
        recorded = await service.client.execute_workflow(
            TwoArgumentScheduler.run, args=[order, settings.task_queue], id=f"two-args-{order.order_id}",
            task_queue=queue, execution_timeout=timedelta(seconds=60))
    assert recorded is True
    stored = service.ledger.get(order.order_id)
    assert stored is not None and stored.status is OrderStatus.APPROVED
    assert [t.status for t in stored.history] == [OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL,
                                                  OrderStatus.APPROVED]
    assert service.ledger.fulfilment_outcome(order.order_id) == "APPROVED"
