"""Every rule of ``refusal()`` from both sides, allowed and refused: by state, by role (a clerk may only cancel,
and only their own orders; a manager may do everything; no role, no restriction) and by four-eyes (only when the
order has it, only for approve). First as a table against the function itself, then through the Update the faces
send (``OrderService.decide``) and through the seed's signals, on a real worker.

A refused Update raises a typed error carrying the rule's ``code`` and the order's status, and leaves no trace in
the workflow's history. A refused signal is ignored: the workflow handles it (a workflow task completes after it),
keeps running, and the order is exactly as it was.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import product

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from core.errors import ErrorCode, Forbidden, InvalidTransition
from core.models import Action, Actor, Decision, OrderInput, OrderRequest, OrderStatus, Role
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import assert_eventually
from tests.test_workflow import LAPTOP, wait_for_status
from workflows.decision_rules import FORBIDDEN, INVALID_TRANSITION, refusal

APPROVE, REJECT, CANCEL = Action.APPROVE, Action.REJECT, Action.CANCEL
VALIDATING, PENDING = OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL
ALICE = Actor(name="alice")  # no role: identities are not configured
BOB = Actor(name="bob")
CLERK = Actor(name="alice", role=Role.CLERK)
MANAGER = Actor(name="mona", role=Role.MANAGER)
OTHER_MANAGER = Actor(name="max", role=Role.MANAGER)

# Where each decision may leave from; every other (status, action) pair is refused by the state.
ALLOWED_FROM = {(PENDING, APPROVE), (PENDING, REJECT), (PENDING, CANCEL), (VALIDATING, CANCEL)}


@dataclass(frozen=True)
class Case:
    """One decision on one order: who decides what, on whose order, in which status, and what the rules say."""

    id: str
    action: Action
    actor: Actor
    created_by: str
    status: OrderStatus
    refused: ErrorCode | None
    four_eyes: bool = False

    def decision(self) -> Decision:
        return Decision(action=self.action, actor=self.actor, reason=f"{self.id} reason")


RULES = [
    # Roles: a clerk may cancel their own orders and nothing else.
    Case("clerk-approves-own", APPROVE, CLERK, "alice", PENDING, ErrorCode.MANAGER_ONLY),
    Case("clerk-rejects-own", REJECT, CLERK, "alice", PENDING, ErrorCode.MANAGER_ONLY),
    Case("clerk-approves-others", APPROVE, CLERK, "bob", PENDING, ErrorCode.MANAGER_ONLY),
    Case("clerk-cancels-own", CANCEL, CLERK, "alice", PENDING, None),
    Case("clerk-cancels-own-validating", CANCEL, CLERK, "alice", VALIDATING, None),
    Case("clerk-cancels-others", CANCEL, CLERK, "bob", PENDING, ErrorCode.OWN_ORDERS_ONLY),
    Case("clerk-cancels-others-validating", CANCEL, CLERK, "bob", VALIDATING, ErrorCode.OWN_ORDERS_ONLY),
    # A manager may do everything (four-eyes aside).
    Case("manager-approves-others", APPROVE, MANAGER, "alice", PENDING, None),
    Case("manager-rejects-others", REJECT, MANAGER, "alice", PENDING, None),
    Case("manager-cancels-others", CANCEL, MANAGER, "alice", PENDING, None),
    # No role: identities are not configured, nobody is restricted.
    Case("anyone-cancels-others", CANCEL, BOB, "alice", PENDING, None),
    Case("anyone-approves-others", APPROVE, BOB, "alice", PENDING, None),
    Case("anyone-approves-own", APPROVE, ALICE, "alice", PENDING, None),
    # Four-eyes: only on an order that has it, and only for approve.
    Case("four-eyes-manager-approves-own", APPROVE, MANAGER, "mona", PENDING, ErrorCode.FOUR_EYES, four_eyes=True),
    Case("four-eyes-off-manager-approves-own", APPROVE, MANAGER, "mona", PENDING, None),
    Case("four-eyes-manager-rejects-own", REJECT, MANAGER, "mona", PENDING, None, four_eyes=True),
    Case("four-eyes-manager-cancels-own", CANCEL, MANAGER, "mona", PENDING, None, four_eyes=True),
    Case("four-eyes-other-manager-approves", APPROVE, OTHER_MANAGER, "mona", PENDING, None, four_eyes=True),
    Case("four-eyes-no-role-approves-own", APPROVE, ALICE, "alice", PENDING, ErrorCode.FOUR_EYES, four_eyes=True),
    # The state is checked first: the loser of a race learns the status, whoever they are.
    Case("clerk-approves-validating", APPROVE, CLERK, "alice", VALIDATING, ErrorCode.INVALID_TRANSITION),
    Case("clerk-cancels-others-approved", CANCEL, CLERK, "bob", OrderStatus.APPROVED, ErrorCode.INVALID_TRANSITION),
    Case("four-eyes-manager-approves-own-validating", APPROVE, MANAGER, "mona", VALIDATING,
         ErrorCode.INVALID_TRANSITION, four_eyes=True),
]
STATES = [
    Case(f"{action.value}-{status.value.lower()}", action, MANAGER, "alice", status,
         None if (status, action) in ALLOWED_FROM else ErrorCode.INVALID_TRANSITION)
    for status, action in product(OrderStatus, Action)
]
TABLE = STATES + RULES
# What a workflow can be asked while it waits: the states a decision can still reach.
LIVE = [case for case in TABLE if case.status in (VALIDATING, PENDING)]


def order_for(case: Case) -> OrderInput:
    return OrderInput(order_id="order_table", item="Laptop", quantity=1, created_by=case.created_by,
                      four_eyes=case.four_eyes)


@pytest.mark.parametrize("case", TABLE, ids=[case.id for case in TABLE])
def test_refusal_table(case: Case) -> None:
    error = refusal(case.decision(), order_for(case), case.status)

    if case.refused is None:
        assert error is None, error
        return
    assert error is not None, f"{case.id} should be refused with {case.refused}"
    assert error.type == (INVALID_TRANSITION if case.refused is ErrorCode.INVALID_TRANSITION else FORBIDDEN)
    assert error.non_retryable
    assert tuple(error.details) == (case.status.value, case.refused.value)


# ---- on a real worker ---------------------------------------------------------------------------------------------


@dataclass
class Desk:
    """Services over one client: orders with and without four-eyes, on a queue whose validation passes at once and
    on one whose validation keeps failing transiently (the order stays VALIDATING until it is cancelled)."""

    client: Client
    services: dict[tuple[bool, bool], OrderService]  # (four_eyes, validating) -> service

    def service(self, case: Case) -> OrderService:
        return self.services[(case.four_eyes, case.status is VALIDATING)]

    async def order(self, case: Case) -> tuple[OrderService, str]:
        """An order created by ``case.created_by``, in ``case.status``."""
        service = self.service(case)
        order_id = await service.create_order(LAPTOP, Actor(name=case.created_by))
        await wait_for_status(service, order_id, case.status)
        return service, order_id


@pytest.fixture(scope="module")
async def desk(temporal_address: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Desk]:
    data_dir = tmp_path_factory.mktemp("refusals")
    base = Settings(_env_file=None, temporal_address=temporal_address, data_dir=data_dir, api_token=None,
                    tokens_file=None, roles={"mona": Role.MANAGER}, actor=None, payload_encryption_key=None)
    queues = {False: f"refusals-{uuid.uuid4()}", True: f"refusals-validating-{uuid.uuid4()}"}
    first = await OrderService.connect(base.model_copy(update={"task_queue": queues[False]}), temporal_address)
    services = {
        (four_eyes, validating): OrderService(first.client, base.model_copy(update={
            "four_eyes": four_eyes, "task_queue": queues[validating],
            "simulate_validation_failures": 100 if validating else 0}), first.ledger)
        for four_eyes, validating in product((False, True), repeat=2)
    }
    async with contextlib.AsyncExitStack() as workers:
        for validating in (False, True):
            await workers.enter_async_context(build_worker(first.client, services[(False, validating)].settings))
        yield Desk(first.client, services)


async def history_events(handle: WorkflowHandle) -> list:
    return [event async for event in handle.fetch_history_events()]


async def tidy(service: OrderService, order_id: str) -> None:
    """Cancel an order a test left waiting (an order held in VALIDATING retries its validation for minutes)."""
    if not (await service.status(order_id)).is_final:
        await service.cancel(order_id, Actor(name="cleanup"))


@pytest.mark.parametrize("case", LIVE, ids=[case.id for case in LIVE])
async def test_the_update_keeps_each_rule(desk: Desk, case: Case) -> None:
    service, order_id = await desk.order(case)
    handle = desk.client.get_workflow_handle(order_id)
    try:
        before = await service.details(order_id)
        if case.refused is None:
            assert await service.decide(order_id, case.action, case.actor, "ok") == case.action.outcome
            assert (await service.details(order_id)).history[-1].actor == case.actor.name
            return
        expected = InvalidTransition if case.refused is ErrorCode.INVALID_TRANSITION else Forbidden
        with pytest.raises(expected) as refused:
            await service.decide(order_id, case.action, case.actor, "not allowed")
        assert (refused.value.code, refused.value.current_status) == (case.refused, case.status)
        assert await service.details(order_id) == before
        # The validator refused it before anything was written: no Update in the history at all.
        updates = [e for e in await history_events(handle)
                   if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
        assert updates == []
    finally:
        await tidy(service, order_id)


async def signal_handled(handle: WorkflowHandle, name: str, payload: Decision | None) -> None:
    """Send a signal and wait until a workflow task has handled it; a workflow task that failed on it fails here."""
    await (handle.signal(name, payload) if payload is not None else handle.signal(name))

    async def handled() -> EventType.ValueType:
        events = await history_events(handle)
        signalled = [e.event_id for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]
        assert signalled, "the signal is not in the history yet"
        outcomes = [e.event_type for e in events if e.event_id > signalled[-1] and e.event_type in (
            EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)]
        assert outcomes, "no workflow task has handled the signal yet"
        return outcomes[0]

    assert await assert_eventually(handled) == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED


@pytest.mark.parametrize("case", LIVE, ids=[case.id for case in LIVE])
async def test_a_signal_keeps_each_rule_and_a_refused_one_is_ignored(desk: Desk, case: Case) -> None:
    service, order_id = await desk.order(case)
    handle = desk.client.get_workflow_handle(order_id)
    try:
        before = await service.details(order_id)
        await signal_handled(handle, case.action.value, case.decision())
        if case.refused is None:
            await wait_for_status(service, order_id, case.action.outcome)
            assert (await service.details(order_id)).history[-1].actor == case.actor.name
            return
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        assert await service.details(order_id) == before
    finally:
        await tidy(service, order_id)


@pytest.mark.parametrize("action", [APPROVE, REJECT])
async def test_a_seed_signal_without_payload_while_validating_is_ignored(desk: Desk, action: Action) -> None:
    """The seed's bare ``approve``/``reject`` (no body, actor ``api``) during VALIDATING: ignored, and the order
    still takes a cancel afterwards; it is not stuck in VALIDATING."""
    case = Case("bare", action, Actor(name="api"), "alice", VALIDATING, ErrorCode.INVALID_TRANSITION)
    service, order_id = await desk.order(case)
    handle = desk.client.get_workflow_handle(order_id)
    before = await service.details(order_id)

    await signal_handled(handle, action.value, None)

    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
    assert await service.details(order_id) == before
    assert await service.cancel(order_id, ALICE) == OrderStatus.CANCELLED
    await handle.result()


async def test_the_signal_name_decides_the_action_not_the_payload(desk: Desk) -> None:
    case = Case("payload", APPROVE, MANAGER, "alice", PENDING, None)
    service, order_id = await desk.order(case)
    handle = desk.client.get_workflow_handle(order_id)

    await signal_handled(handle, "approve", Decision(action=CANCEL, actor=MANAGER))

    await wait_for_status(service, order_id, OrderStatus.APPROVED)
    await handle.result()


async def test_a_signal_after_the_decision_in_the_same_task_is_ignored(temporal_address: str, settings: Settings,
                                                                      ) -> None:
    """Two signals queued while no worker runs reach the workflow together: the first decides, the second finds a
    final state, is ignored, and the order completes with exactly the first decision."""
    service = await OrderService.connect(settings, temporal_address)
    async with build_worker(service.client, settings):
        order_id = await service.create_order(OrderRequest(item="Laptop", quantity=1), ALICE)
        await wait_for_status(service, order_id, PENDING)
    handle = service.client.get_workflow_handle(order_id)
    await handle.signal("approve", Decision(action=APPROVE, actor=MANAGER))
    await handle.signal("cancel", Decision(action=CANCEL, actor=ALICE))
    async with build_worker(service.client, settings):
        await handle.result()
    details = await service.details(order_id)
    assert details.status is OrderStatus.APPROVED
    assert [(t.status, t.actor) for t in details.history if t.status.is_final] == [(OrderStatus.APPROVED, "mona")]
    assert service.ledger.fulfilment_outcome(order_id) == "APPROVED"
