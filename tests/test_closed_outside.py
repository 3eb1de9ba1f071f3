"""Orders Temporal closed without Order Desk (Terminate or Cancel in its Web UI or CLI) end TERMINATED: in a read, in a
decision's refusal, in the ledger, and, with nobody reading them, through the worker's sweep."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.worker import Worker

from core import closed_outside
from core.errors import InvalidTransition
from core.models import Actor, OrderFilter, OrderRequest, OrderStatus
from core.service import OrderService, workflow_id
from core.temporal_client import connect
from core.worker import work
from tests.helpers import assert_eventually
from tests.test_workflow import ALICE, BOB, pending_order

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
