"""Activities scheduled the way a workflow from before the ``ledger-in-activities`` patch schedules them.

Replay never runs activities, so the replay test cannot see this: an order in flight across the upgrade
sends one argument to activities whose hints now name two, and the SDK decodes such arguments without
hints. The real worker must still run them.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

from core.models import FulfilmentInput, OrderInput, OrderStatus
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


async def test_one_argument_activities_still_run(service: OrderService, settings: Settings, worker: Worker) -> None:
    order = OrderInput(order_id=f"order_{uuid.uuid4().hex[:12]}", item="Laptop", quantity=1, created_by="alice")
    queue = f"{settings.task_queue}-pre-patch"
    async with Worker(service.client, task_queue=queue, workflows=[PrePatchScheduler]):
        recorded = await service.client.execute_workflow(
            PrePatchScheduler.run, args=[order, settings.task_queue], id=f"pre-patch-{order.order_id}",
            task_queue=queue, execution_timeout=timedelta(seconds=60))
    assert recorded is True
    assert service.ledger.fulfilment_outcome(order.order_id) == "APPROVED"
