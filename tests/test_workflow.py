"""Every path of OrderApprovalWorkflow against a real Temporal server, through the service layer."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError
from temporalio.worker import (
    HandleUpdateInput,
    Interceptor,
    Worker,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from core.errors import ErrorCode, Forbidden, IdempotencyConflict, InvalidTransition, OrderNotFound, TemporalUnavailable
from core.models import Actor, OrderFilter, OrderRequest, OrderStatus, Role
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import assert_eventually

ALICE = Actor(name="alice")
BOB = Actor(name="bob")
LAPTOP = OrderRequest(item="Laptop Gaming XYZ", quantity=1)
PENDING = OrderFilter.of(OrderStatus.PENDING_APPROVAL)


async def wait_for_status(service: OrderService, order_id: str, status: OrderStatus) -> None:
    async def check() -> None:
        assert await service.status(order_id) == status
    await assert_eventually(check)


async def pending_order(service: OrderService, request: OrderRequest = LAPTOP, actor: Actor = ALICE) -> str:
    order_id = await service.create_order(request, actor)
    await wait_for_status(service, order_id, OrderStatus.PENDING_APPROVAL)
    return order_id


class _Fulfilment:
    """The fulfilment records the workflow's activities left in the test's ledger."""

    def __init__(self, service: OrderService) -> None:
        self.ledger = service.ledger

    def outcome(self, order_id: str) -> str | None:
        return self.ledger.fulfilment_outcome(order_id)

    def count(self, order_id: str) -> int:
        return self.ledger.fulfilment_count(order_id)


def fulfilment(service: OrderService) -> _Fulfilment:
    return _Fulfilment(service)


async def wait_closed(service: OrderService, order_id: str, timeout: float = 60.0) -> None:
    await asyncio.wait_for(service.client.get_workflow_handle(order_id).result(), timeout)


async def test_status_is_readable_right_after_create(service: OrderService) -> None:
    order_id = await service.create_order(LAPTOP, ALICE)
    assert order_id.startswith("order_")
    assert await service.status(order_id) == OrderStatus.VALIDATING


async def test_approve_path(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    assert await service.approve(order_id, BOB, "looks fine") == OrderStatus.APPROVED
    assert await service.status(order_id) == OrderStatus.APPROVED
    await wait_closed(service, order_id)
    details = await service.details(order_id)
    assert [t.status for t in details.history] == [
        OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL, OrderStatus.APPROVED]
    assert details.history[-1].actor == "bob" and details.history[-1].reason == "looks fine"
    assert details.created_by == "alice" and details.fulfilled
    assert fulfilment(service).outcome(order_id) == "APPROVED"


async def test_reject_path_records_reason(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    assert await service.reject(order_id, BOB, "over budget") == OrderStatus.REJECTED
    await wait_closed(service, order_id)
    details = await service.details(order_id)
    assert details.status == OrderStatus.REJECTED
    assert details.history[-1].reason == "over budget"
    assert fulfilment(service).outcome(order_id) == "REJECTED"


async def test_cancel_while_pending(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    assert await service.cancel(order_id, ALICE) == OrderStatus.CANCELLED
    await wait_closed(service, order_id)
    assert await service.status(order_id) == OrderStatus.CANCELLED
    assert fulfilment(service).count(order_id) == 0


async def test_cancel_while_validating(settings: Settings) -> None:
    slow = settings.model_copy(update={"simulate_validation_failures": 3})
    service = await OrderService.connect(slow, settings.temporal_address)
    async with build_worker(service.client, slow):
        order_id = await service.create_order(LAPTOP, ALICE)
        assert await service.cancel(order_id, ALICE, "changed my mind") == OrderStatus.CANCELLED
        await wait_closed(service, order_id)
        details = await service.details(order_id)
    assert [t.status for t in details.history] == [OrderStatus.VALIDATING, OrderStatus.CANCELLED]
    assert fulfilment(service).count(order_id) == 0


async def test_transient_validation_failures_are_retried(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    """The README's retry demo: each simulated failure says so in one line, never a traceback in the output."""
    flaky = settings.model_copy(update={"simulate_validation_failures": 2})
    service = await OrderService.connect(flaky, settings.temporal_address)
    with caplog.at_level(logging.INFO):
        async with build_worker(service.client, flaky):
            order_id = await pending_order(service)
            history = await service.client.get_workflow_handle(order_id).fetch_history()
    started = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED]
    # The first activity (validate_order) succeeded on its third attempt: two transient failures retried.
    assert started[0].activity_task_started_event_attributes.attempt == 3
    mine = [record for record in caplog.records if order_id in record.getMessage()
            or getattr(record, "activity_info", None) and record.activity_info.workflow_id == order_id]
    assert sum("Simulated transient validation failure" in record.getMessage() for record in mine) == 2
    assert not [record for record in mine if record.exc_info], "a traceback in the demo's output"


async def test_business_rule_violation_rejects_without_retry(settings: Settings) -> None:
    strict = settings.model_copy(update={"blocked_items": ["plutonium"]})
    service = await OrderService.connect(strict, settings.temporal_address)
    async with build_worker(service.client, strict):
        order_id = await service.create_order(OrderRequest(item="Plutonium rods", quantity=2), ALICE)
        await wait_closed(service, order_id)
        details = await service.details(order_id)
    assert details.status == OrderStatus.REJECTED
    assert details.history[-1].actor == "system"
    assert "not orderable" in (details.history[-1].reason or "")
    assert fulfilment(service).outcome(order_id) == "REJECTED"


async def test_approve_after_cancel_is_refused(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    await service.cancel(order_id, ALICE)
    with pytest.raises(InvalidTransition) as refused:
        await service.approve(order_id, BOB)
    assert refused.value.current_status == OrderStatus.CANCELLED


async def test_approve_while_validating_is_refused(settings: Settings) -> None:
    slow = settings.model_copy(update={"simulate_validation_failures": 3})
    service = await OrderService.connect(slow, settings.temporal_address)
    async with build_worker(service.client, slow):
        order_id = await service.create_order(LAPTOP, ALICE)
        with pytest.raises(InvalidTransition) as refused:
            await service.approve(order_id, BOB)
        assert refused.value.current_status == OrderStatus.VALIDATING
        await service.cancel(order_id, ALICE)


async def test_decision_after_completion_is_refused_with_final_status(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    await service.approve(order_id, BOB)
    await wait_closed(service, order_id)
    with pytest.raises(InvalidTransition) as refused:
        await service.cancel(order_id, ALICE)
    assert refused.value.current_status == OrderStatus.APPROVED


async def test_seed_signals_decide_and_late_signals_change_nothing(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    handle: WorkflowHandle = service.client.get_workflow_handle(order_id)
    await handle.signal("approve")
    await wait_for_status(service, order_id, OrderStatus.APPROVED)
    await handle.result()
    with pytest.raises(RPCError):
        await handle.signal("cancel")
    assert await service.status(order_id) == OrderStatus.APPROVED
    details = await service.details(order_id)
    assert details.history[-1].actor == "api"


async def test_a_seed_cancel_signal_cancels_a_pending_order(service: OrderService, worker: Worker) -> None:
    """Signals the state or a role forbids, and that they are ignored: tests/test_refusals.py."""
    order_id = await pending_order(service)
    handle: WorkflowHandle = service.client.get_workflow_handle(order_id)
    await handle.signal("cancel")
    await wait_for_status(service, order_id, OrderStatus.CANCELLED)
    await handle.result()
    assert [t.status for t in (await service.details(order_id)).history][-1] == OrderStatus.CANCELLED


async def test_queries_report_status_and_details(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    handle: WorkflowHandle = service.client.get_workflow_handle(order_id)
    assert await handle.query("status") == "PENDING_APPROVAL"
    details = await service.details(order_id)
    assert (details.item, details.quantity, details.status) == ("Laptop Gaming XYZ", 1, OrderStatus.PENDING_APPROVAL)
    await service.cancel(order_id, ALICE)


async def test_an_order_created_while_no_worker_runs_keeps_its_creation_time(service: OrderService) -> None:
    """Not the time a worker first ran it (a QA pass saw such an order sorted above one created after it)."""
    before = datetime.now(UTC)
    order_id = await service.create_order(LAPTOP, ALICE)
    await asyncio.sleep(1.5)  # no worker yet: the workflow's first task waits
    async with build_worker(service.client, service.settings):
        await wait_for_status(service, order_id, OrderStatus.PENDING_APPROVAL)
        details = await service.details(order_id)
    assert before <= details.created_at < before + timedelta(seconds=1)
    assert details.history[0].at == details.created_at
    [listed] = [order for order in await service.list_orders() if order.order_id == order_id]
    assert listed.created_at == details.created_at  # the ledger's copy too


async def test_list_orders_and_search_attributes_follow_transitions(service: OrderService, worker: Worker) -> None:
    item = f"Bàn phím cơ {uuid.uuid4().hex[:6]}"
    order_id = await pending_order(service, OrderRequest(item=item, quantity=7))

    async def listed() -> None:
        pending = {o.order_id: o for o in await service.list_orders(PENDING)}
        assert order_id in pending
        assert (pending[order_id].item, pending[order_id].quantity, pending[order_id].created_by) == (item, 7, "alice")
        visible = [e.id async for e in service.client.list_workflows(
            f"WorkflowId = '{order_id}' AND OrderStatus = 'PENDING_APPROVAL'")]
        assert visible == [order_id]
    await assert_eventually(listed)
    await service.approve(order_id, BOB)

    async def moved() -> None:
        assert order_id not in {o.order_id for o in await service.list_orders(PENDING)}
        assert order_id in {o.order_id for o in await service.list_orders(OrderFilter.of(OrderStatus.APPROVED))}
        visible = [e.id async for e in service.client.list_workflows(
            f"WorkflowId = '{order_id}' AND OrderStatus = 'APPROVED'")]
        assert visible == [order_id]
    await assert_eventually(moved)


async def test_unknown_order_is_not_found(service: OrderService) -> None:
    for order_id in ("order_doesnotexist", "nonsense", "order_" + "x" * 100):
        with pytest.raises(OrderNotFound):
            await service.status(order_id)
    with pytest.raises(OrderNotFound):
        await service.approve("order_doesnotexist", BOB)


async def test_idempotency_key_returns_the_same_order(service: OrderService) -> None:
    first = await service.create_order(LAPTOP, ALICE, idempotency_key="k-1")
    again = await service.create_order(LAPTOP, ALICE, idempotency_key="k-1")
    other_caller = await service.create_order(LAPTOP, BOB, idempotency_key="k-1")
    assert first == again != other_caller
    with pytest.raises(IdempotencyConflict):
        await service.create_order(OrderRequest(item="Something else", quantity=1), ALICE, idempotency_key="k-1")


async def test_idempotency_key_after_the_order_finished(service: OrderService, worker: Worker) -> None:
    order_id = await service.create_order(LAPTOP, ALICE, idempotency_key="done-1")
    await wait_for_status(service, order_id, OrderStatus.PENDING_APPROVAL)
    await service.reject(order_id, BOB)
    await wait_closed(service, order_id)
    assert await service.create_order(LAPTOP, ALICE, idempotency_key="done-1") == order_id


async def test_retried_decision_with_the_same_request_id_is_one_decision(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    assert await service.approve(order_id, BOB, request_id="req-1") == OrderStatus.APPROVED
    assert await service.approve(order_id, BOB, request_id="req-1") == OrderStatus.APPROVED
    details = await service.details(order_id)
    assert [t.status for t in details.history].count(OrderStatus.APPROVED) == 1


async def test_decision_without_a_worker_is_unavailable(service: OrderService) -> None:
    order_id = await service.create_order(LAPTOP, ALICE)
    with pytest.raises(TemporalUnavailable, match="worker") as refused:
        await service.cancel(order_id, ALICE)
    assert refused.value.code is ErrorCode.NO_WORKER


async def test_four_eyes_and_roles_are_enforced_by_the_workflow(settings: Settings) -> None:
    guarded = settings.model_copy(update={"roles": {"alice": Role.CLERK, "mona": Role.MANAGER}})
    service = await OrderService.connect(guarded, settings.temporal_address)
    clerk, other_clerk = Actor(name="alice", role=Role.CLERK), Actor(name="carl", role=Role.CLERK)
    manager = Actor(name="mona", role=Role.MANAGER)
    async with build_worker(service.client, guarded):
        by_clerk = await pending_order(service, actor=clerk)
        with pytest.raises(Forbidden, match="only a manager"):
            await service.approve(by_clerk, clerk)
        with pytest.raises(Forbidden, match="own orders"):
            await service.cancel(by_clerk, other_clerk)
        by_manager = await pending_order(service, actor=manager)
        with pytest.raises(Forbidden, match="four-eyes"):
            await service.approve(by_manager, manager)
        assert await service.reject(by_manager, manager, "changed plans") == OrderStatus.REJECTED
        assert await service.approve(by_clerk, manager) == OrderStatus.APPROVED
        assert await service.status(by_clerk) == OrderStatus.APPROVED


async def test_without_identities_the_creator_may_approve(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    assert await service.approve(order_id, ALICE) == OrderStatus.APPROVED


async def test_concurrent_decisions_have_one_winner(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service)
    results = await asyncio.gather(
        service.approve(order_id, BOB), service.cancel(order_id, ALICE), service.approve(order_id, Actor(name="carol")),
        return_exceptions=True)
    winners = [r for r in results if isinstance(r, OrderStatus)]
    losers = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(winners) == 1 and len(losers) == 2
    assert all(loser.current_status == winners[0] for loser in losers)
    await wait_closed(service, order_id)
    history = (await service.details(order_id)).history
    assert len([t for t in history if t.status.is_final]) == 1


async def test_bulk_decision_reports_each_order(service: OrderService, worker: Worker) -> None:
    from core.models import Action

    first, second, cancelled = [await pending_order(service) for _ in range(3)]
    await service.cancel(cancelled, ALICE)
    seen: list[str] = []
    outcomes = await service.decide_many([first, cancelled, "order_missing000", second, first], Action.APPROVE, BOB,
                                         "batch", concurrency=2, progress=lambda o: seen.append(o.order_id))
    assert [o.order_id for o in outcomes] == [first, cancelled, "order_missing000", second]
    assert [(o.ok, o.status, o.error_type) for o in outcomes] == [
        (True, OrderStatus.APPROVED, None),
        (False, OrderStatus.CANCELLED, "invalid_transition"),
        (False, None, "not_found"),
        (True, OrderStatus.APPROVED, None),
    ]
    assert sorted(seen) == sorted(o.order_id for o in outcomes)
    assert (await service.details(second)).history[-1].reason == "batch"


class _FailFirstDecisionTask(Interceptor):
    """Fails the workflow task that first runs an order's ``decide`` handler, once per order, as a worker that
    crashed mid-task would."""

    failed: ClassVar[set[str]] = set()

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        failed = self.failed

        class FailFirst(WorkflowInboundInterceptor):
            async def handle_update_handler(self, input: HandleUpdateInput) -> object:
                order_id = workflow.info().workflow_id
                if order_id not in failed:
                    failed.add(order_id)
                    raise RuntimeError(f"the first decision task of {order_id} fails")
                return await super().handle_update_handler(input)

        return FailFirst


async def test_a_decision_whose_workflow_task_fails_is_applied_once_on_the_retry(service: OrderService,
                                                                                 worker: Worker) -> None:
    """Temporal keeps the Update across the failed task and delivers it to the retried one; the caller waits."""
    order_id = await pending_order(service)
    config = worker.config()
    await worker.shutdown()
    config["interceptors"] = [*config["interceptors"], _FailFirstDecisionTask()]
    async with Worker(**config):
        assert await service.approve(order_id, BOB, "second try") == OrderStatus.APPROVED
        await wait_closed(service, order_id)
    assert order_id in _FailFirstDecisionTask.failed
    history = (await service.details(order_id)).history
    assert [(t.status, t.actor) for t in history if t.status.is_final] == [(OrderStatus.APPROVED, "bob")]
