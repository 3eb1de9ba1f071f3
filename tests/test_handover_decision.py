"""A decision that reaches an order at the moment its run continues as a new one (bounded history) is applied to
the new run, not refused: the run is held in its hand-over while the decision is sent, then let go."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import NoReturn

import pytest
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

    def hold(self) -> None:
        if not self.reached.is_set():
            self.reached.set()
            self.go.wait(HOLD)


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
    async with build_worker(desk.client, desk.settings):
        order_id = await desk.create_order(OrderRequest(item="Ghế", quantity=1), Actor(name="alice"))
        await wait_for_status(desk, order_id, OrderStatus.PENDING_APPROVAL)
        assert await asyncio.to_thread(hand_over.reached.wait, 30), "the run never continued as new"
        decided = asyncio.create_task(desk.approve(order_id, Actor(name="mona")))
        await asyncio.sleep(HOLD / 2)  # the Update reaches the server while the run's last task is in flight
        hand_over.go.set()
        assert await decided is OrderStatus.APPROVED
        await wait_closed(desk, order_id)
    runs = [run async for run in desk.client.list_workflows(f"WorkflowId = '{order_id}'")]
    assert len(runs) == 2
