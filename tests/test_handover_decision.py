"""A decision that reaches an order at the moment its run continues as a new one (bounded history) is applied to
the new run, not refused: the run is held in its hand-over while the decision is sent, then let go."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import NoReturn

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import (
    ContinueAsNewInput,
    Interceptor,
    UnsandboxedWorkflowRunner,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from activities.legacy import LegacyArguments
from core import worker as worker_module
from core.models import Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.worker import build_worker
from tests.test_workflow import wait_closed, wait_for_status
from workflows import order_approval

HOLD = 1.0  # seconds the hand-over is held at most: under the SDK's 2 s deadlock detection


class HandOver:
    """Holds the first continue-as-new in the workflow's thread until let go (or HOLD passes)."""

    def __init__(self) -> None:
        self.reached, self.go = threading.Event(), threading.Event()
        self.let_go = False  # by ``go``, not by HOLD passing: the decision was sent while the run was held

    def hold(self) -> None:
        if not self.reached.is_set():
            self.reached.set()
            self.let_go = self.go.wait(HOLD)


def holding(hand_over: HandOver) -> type[Interceptor]:
    class Outbound(WorkflowOutboundInterceptor):
        def continue_as_new(self, input: ContinueAsNewInput) -> NoReturn:
            hand_over.hold()
            self.next.continue_as_new(input)

    class Inbound(WorkflowInboundInterceptor):
        def init(self, outbound: WorkflowOutboundInterceptor) -> None:
            self.next.init(Outbound(outbound))

    class Holding(LegacyArguments):
        def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[Inbound]:
            return Inbound

    return Holding


async def test_a_decision_sent_during_the_hand_over_reaches_the_next_run(
        service: OrderService, monkeypatch: pytest.MonkeyPatch) -> None:
    hand_over = HandOver()
    monkeypatch.setattr(order_approval, "REMINDERS_PER_RUN", 2)  # unsandboxed below: the workflow reads it
    monkeypatch.setattr(worker_module, "SandboxedWorkflowRunner", lambda **_: UnsandboxedWorkflowRunner())
    monkeypatch.setattr(worker_module, "LegacyArguments", holding(hand_over))
    desk = OrderService(service.client, service.settings.model_copy(
        update={"approval_reminder": timedelta(milliseconds=20)}), service.ledger)
    sent = asyncio.Event()
    send_update = desk._send_update

    async def sending(*args: object) -> OrderStatus:
        sent.set()
        return await send_update(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(desk, "_send_update", sending)
    async with build_worker(desk.client, desk.settings):
        order_id = await desk.create_order(OrderRequest(item="Ghế", quantity=1), Actor(name="alice"))
        await wait_for_status(desk, order_id, OrderStatus.PENDING_APPROVAL)
        assert await asyncio.to_thread(hand_over.reached.wait, 30), "the run never continued as new"
        decided = asyncio.create_task(desk.approve(order_id, Actor(name="mona")))
        await sent.wait()
        await asyncio.sleep(HOLD / 4)  # the Update reaches the server while the run's last task is in flight
        assert not decided.done()
        hand_over.go.set()
        assert await decided is OrderStatus.APPROVED
        await wait_closed(desk, order_id)
    assert hand_over.let_go, "the hand-over was not held until the decision had been sent"

    second = await desk.client.get_workflow_handle(order_id).fetch_history()
    first_run = second.events[0].workflow_execution_started_event_attributes.continued_execution_run_id
    first = await desk.client.get_workflow_handle(order_id, run_id=first_run).fetch_history()
    assert first.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    assert not updates(first) and updates(second) == 1  # applied by the next run, once


def updates(history: WorkflowHistory) -> int:
    return sum(event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED for event in history.events)
