"""Orders Temporal closed without Order Desk (Terminate or Cancel in its Web UI or CLI) end TERMINATED: in a read, in a
decision's refusal, in the ledger, and, with nobody reading them, through the worker's sweep."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.worker import Worker

from core import closed_outside
from core import search_attributes as sa
from core.errors import InvalidTransition
from core.models import Actor, OrderFilter, OrderInput, OrderRequest, OrderStatus, Transition
from core.service import OrderService, workflow_id
from core.temporal_client import connect
from core.worker import work
from tests.helpers import assert_eventually
from tests.test_workflow import ALICE, BOB, pending_order
from workflows.order_approval import OrderApprovalWorkflow

TERMINATED = OrderFilter.of(OrderStatus.TERMINATED)


async def ledger_status(service: OrderService, order_id: str) -> OrderStatus | None:
    known = await asyncio.to_thread(service.ledger.get, order_id)
    return None if known is None else known.status


async def test_a_terminated_order_reads_terminated_with_temporals_reason_and_refuses_decisions(
        service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    # Whoever terminates writes what they like: a line break and a control character must not reach the ledger.
    handle = service.client.get_workflow_handle(workflow_id(order_id))
    await handle.terminate(reason="ops cleanup\nafter the audit\x01")

    assert await service.status(order_id) is OrderStatus.TERMINATED
    with pytest.raises(InvalidTransition) as refused:
        await service.approve(order_id, BOB)
    assert refused.value.current_status is OrderStatus.TERMINATED
    details = await service.details(order_id)
    last = details.history[-1]
    assert (details.status, details.awaiting_role, details.fulfilled) == (OrderStatus.TERMINATED, None, False)
    assert (last.status, last.actor, last.kind, last.seq) == (OrderStatus.TERMINATED, "system", "transition", 2)
    assert last.reason is not None and last.reason.startswith(
        "terminated in Temporal, outside Order Desk (reason: ops cleanup after the audit")
    assert [t.status for t in details.history[:-1]] == [OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL]
    assert await ledger_status(service, order_id) is OrderStatus.TERMINATED  # the list and every desk follow
    assert [o.order_id for o in await service.list_orders(TERMINATED)] == [order_id]
    assert (await service.summary(order_id)).status is OrderStatus.TERMINATED
    read_again = await service.details(order_id)  # the ledger's copy now: Temporal's text is no step's reason
    assert (read_again.history, read_again.approval_reason) == (details.history, None)


async def test_an_order_cancelled_in_temporal_is_terminated_not_an_order_desk_cancel(
        service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    handle = service.client.get_workflow_handle(workflow_id(order_id))
    await handle.cancel()

    async def closed() -> None:
        assert (await handle.describe()).status is WorkflowExecutionStatus.CANCELED
    await assert_eventually(closed)
    details = await service.details(order_id)
    assert details.status is OrderStatus.TERMINATED
    assert details.history[-1].reason is not None and details.history[-1].reason.startswith("cancelled in Temporal")


async def test_an_order_terminated_before_any_worker_ran_it_reads_as_it_was_started(service: OrderService) -> None:
    order_id = await service.create_order(OrderRequest(item="Bàn phím", quantity=3), ALICE)  # no worker: VALIDATING
    await service.client.get_workflow_handle(workflow_id(order_id)).terminate()

    details = await service.details(order_id)  # no worker to replay it, nothing in the ledger: its input
    assert (details.item, details.quantity, details.created_by) == ("Bàn phím", 3, "alice")
    assert [(t.status, t.seq) for t in details.history] == [(OrderStatus.VALIDATING, 0), (OrderStatus.TERMINATED, 1)]
    reason = details.history[-1].reason
    assert reason is not None and reason.startswith("terminated in Temporal, outside Order Desk (")
    assert reason.endswith(f"by {service.client.identity})")
    assert await ledger_status(service, order_id) is OrderStatus.TERMINATED


async def test_an_order_the_ledger_holds_final_stays_so(service: OrderService, worker: Worker) -> None:
    """Approved and fulfilled in the ledger a moment before Temporal closed it (the decision's last workflow task
    never completed): it was approved, and stays approved."""
    order_id = await pending_order(service)
    details = await service.details(order_id)
    approved = details.model_copy(update={"status": OrderStatus.APPROVED, "history": [*details.history, Transition(
        status=OrderStatus.APPROVED, at=details.updated_at, actor="bob", seq=len(details.history))]})
    await asyncio.to_thread(service.ledger.record, approved)
    await service.client.get_workflow_handle(workflow_id(order_id)).terminate(reason="late")

    assert await service.status(order_id) is OrderStatus.APPROVED
    assert await closed_outside.mark(service) == []
    assert [t.status for t in (await service.details(order_id)).history][-1] is OrderStatus.APPROVED


async def test_an_order_that_timed_out_in_temporal_says_so(service: OrderService) -> None:
    order_id = "order_" + uuid.uuid4().hex[:12]
    await service.client.start_workflow(
        OrderApprovalWorkflow.run, OrderInput(order_id=order_id, item="Ghế", quantity=2, created_by="an"),
        id=workflow_id(order_id), task_queue=service.settings.task_queue, execution_timeout=timedelta(seconds=1),
        search_attributes=sa.initial(OrderStatus.VALIDATING.value))  # as the service starts an order, with a timeout

    async def timed_out() -> None:
        assert await service.status(order_id) is OrderStatus.TERMINATED
    await assert_eventually(timed_out)
    details = await service.details(order_id)
    assert (details.item, details.created_by) == ("Ghế", "an")
    assert details.history[-1].reason is not None and details.history[-1].reason.startswith("timed out in Temporal")


async def test_the_sweep_marks_orders_nobody_reads_once(service: OrderService, worker: Worker) -> None:
    kept, terminated = await pending_order(service), await pending_order(service)
    await service.client.get_workflow_handle(workflow_id(terminated)).terminate(reason="gone")
    assert await ledger_status(service, terminated) is not OrderStatus.TERMINATED  # nothing told the ledger

    async def marked() -> None:
        assert await closed_outside.mark(service) == [terminated]
    await assert_eventually(marked)  # visibility lists the close a moment after it
    assert await ledger_status(service, terminated) is OrderStatus.TERMINATED
    assert await ledger_status(service, kept) is not OrderStatus.TERMINATED
    assert await closed_outside.mark(service) == []  # marked once


async def test_the_sweep_looks_from_since_on_and_past_an_order_it_cannot_read(
        service: OrderService, worker: Worker, caplog: pytest.LogCaptureFixture) -> None:
    order_id = await pending_order(service)
    await service.client.get_workflow_handle(workflow_id(order_id)).terminate(reason="gone")
    # Started by hand with the workflow's type on its task queue: an ID that names no order, which no read finds.
    stranger = await service.client.start_workflow(
        OrderApprovalWorkflow.run, OrderInput(order_id="x", item="x", quantity=1, created_by="x"),
        id=f"not-an-order-{uuid.uuid4().hex[:6]}", task_queue=service.settings.task_queue)
    await stranger.terminate(reason="gone too")

    async def listed() -> None:  # both in visibility
        assert len([e async for e in service.client.list_workflows(
            f"TaskQueue = '{service.settings.task_queue}' AND ExecutionStatus = 'Terminated'")]) == 2
    await assert_eventually(listed)
    now = datetime.now(UTC)
    assert await closed_outside.mark(service, since=now + timedelta(minutes=5)) == []  # closed before it
    assert await ledger_status(service, order_id) is not OrderStatus.TERMINATED
    assert await closed_outside.mark(service, since=now - timedelta(minutes=5)) == [order_id]
    assert f"Could not mark {stranger.id}" in caplog.text


async def test_a_sweep_stops_at_once(service: OrderService) -> None:
    stop = asyncio.Event()
    sweeping = asyncio.create_task(closed_outside.sweep(service, stop))
    await asyncio.sleep(0.5)  # its first look done, waiting SWEEP_EVERY for the next
    stop.set()
    await asyncio.wait_for(sweeping, timeout=5)


async def test_a_worker_sweeps_as_it_starts_without_anyone_reading(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service, OrderRequest(item=f"Chuột {uuid.uuid4().hex[:4]}", quantity=1),
                                   Actor(name="carol"))
    await service.client.get_workflow_handle(workflow_id(order_id)).terminate(reason="gone")

    async def closed() -> None:  # in visibility, where the sweep looks
        assert [e.id async for e in service.client.list_workflows(
            f"WorkflowId = '{order_id}' AND ExecutionStatus = 'Terminated'")] == [order_id]
    await assert_eventually(closed)
    stop = asyncio.Event()
    own_client = await connect(service.settings, service.settings.temporal_address)  # as `order-desk worker`'s
    working = asyncio.create_task(work(own_client, service.settings, stop))
    try:
        async def marked() -> None:
            assert await ledger_status(service, order_id) is OrderStatus.TERMINATED
        await assert_eventually(marked)  # its first sweep, at the start: the next is SWEEP_EVERY (30 s) later
    finally:
        stop.set()
        await working
