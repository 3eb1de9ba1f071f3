"""Approval steps on a real Temporal server and worker, through the service: what the policy asks of each amount
(approved at once, one signature, two in order), who may sign which step, four-eyes across steps, and that a policy
changed later leaves orders in flight alone. The ledger keeps the amount, the awaited role and every signature."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.worker import Worker

from core.errors import ErrorCode, Forbidden
from core.models import ALL_ORDERS, Actor, OrderFilter, OrderRequest, OrderStatus, Role
from core.service import OrderService
from core.settings import Settings
from tests.helpers import assert_eventually
from tests.test_policy import EXAMPLE
from tests.test_workflow import wait_closed, wait_for_status

CLERK = Actor(name="alice", role=Role.CLERK)
MANAGER = Actor(name="mona", role=Role.MANAGER)
OTHER_MANAGER = Actor(name="max", role=Role.MANAGER)
DIRECTOR = Actor(name="dan", role=Role.DIRECTOR)
OTHER_DIRECTOR = Actor(name="dora", role=Role.DIRECTOR)
SMALL = OrderRequest(item="Chuột không dây", quantity=2, unit_price="250000")  # VND 500,000: the system approves
MEDIUM = OrderRequest(item="Máy chiếu", quantity=1, unit_price="12000000")  # VND 12,000,000: a manager
LARGE = OrderRequest(item="Máy chủ", quantity=2, unit_price="40000000")  # VND 80,000,000: a manager, then a director


def with_policy(service: OrderService, path: Path, text: str = EXAMPLE, **changes: object) -> OrderService:
    """A service over the same client, ledger and task queue whose settings name the policy ``text``."""
    path.write_text(text, encoding="utf-8")
    settings = service.settings.model_copy(update={"approval_policy": path, "roles": {"mona": Role.MANAGER},
                                                   **changes})
    return OrderService(service.client, settings, service.ledger)


@pytest.fixture
def desk(service: OrderService, tmp_path: Path) -> OrderService:
    """Orders under the example policy, with four-eyes (identities are configured)."""
    return with_policy(service, tmp_path / "policy.toml")


async def pending(service: OrderService, request: OrderRequest) -> str:
    order_id = await service.create_order(request, CLERK)
    await wait_for_status(service, order_id, OrderStatus.PENDING_APPROVAL)
    return order_id


async def test_an_order_within_the_lowest_tier_is_approved_at_once_by_the_system(
        desk: OrderService, worker: Worker) -> None:
    order_id = await desk.create_order(SMALL, CLERK)
    await wait_closed(desk, order_id)

    details = await desk.details(order_id)
    assert details.status is OrderStatus.APPROVED and details.steps == [] and details.awaiting_role is None
    assert [t.status for t in details.history] == [OrderStatus.VALIDATING, OrderStatus.APPROVED]
    assert details.history[-1].actor == "system"
    assert details.history[-1].reason == ("amount VND 500,000 is at most VND 5,000,000: approved at once by the "
                                          "approval policy")
    assert (details.unit_price, details.currency, details.amount) == (Decimal(250000), "VND", Decimal(500000))
    assert desk.ledger.fulfilment_outcome(order_id) == "APPROVED"
    stored = desk.ledger.get(order_id)
    assert stored is not None and (stored.amount, stored.currency, stored.status) == (
        Decimal(500000), "VND", OrderStatus.APPROVED)


async def test_a_medium_order_takes_one_managers_signature(desk: OrderService, worker: Worker) -> None:
    order_id = await pending(desk, MEDIUM)
    details = await desk.details(order_id)
    assert details.awaiting_role is Role.MANAGER and [step.role for step in details.steps] == [Role.MANAGER]
    assert details.history[-1].reason == "amount VND 12,000,000 is at most VND 50,000,000"

    assert await desk.approve(order_id, MANAGER, "budget ok") is OrderStatus.APPROVED
    await wait_closed(desk, order_id)
    details = await desk.details(order_id)
    [step] = details.steps
    assert step.signature is not None
    assert (step.signature.actor, step.signature.role, step.signature.comment) == ("mona", Role.MANAGER, "budget ok")
    assert details.awaiting_role is None and details.history[-1].actor == "mona"


async def test_a_large_order_is_signed_by_a_manager_then_a_director(desk: OrderService, worker: Worker) -> None:
    order_id = await pending(desk, LARGE)

    assert await desk.approve(order_id, MANAGER, "within budget") is OrderStatus.PENDING_APPROVAL
    details = await desk.details(order_id)
    assert details.awaiting_role is Role.DIRECTOR
    assert details.history[-1].kind == "signature" and details.history[-1].awaiting_role is Role.DIRECTOR

    async def ledger_awaits_the_director() -> None:
        awaiting = {row.order_id: row for row in await desk.list_orders(
            OrderFilter(awaiting_roles=frozenset({Role.DIRECTOR})))}
        assert order_id in awaiting  # the signature's ledger write is an activity: not there at once
        assert awaiting[order_id].amount == Decimal(80_000_000)
    await assert_eventually(ledger_awaits_the_director)

    assert await desk.approve(order_id, DIRECTOR, "ok") is OrderStatus.APPROVED
    await wait_closed(desk, order_id)
    details = await desk.details(order_id)
    assert [(s.role, s.signature.actor, s.signature.role) for s in details.steps if s.signature] == [
        (Role.MANAGER, "mona", Role.MANAGER), (Role.DIRECTOR, "dan", Role.DIRECTOR)]
    assert [(t.status, t.kind, t.actor) for t in details.history] == [
        (OrderStatus.VALIDATING, "transition", "alice"), (OrderStatus.PENDING_APPROVAL, "transition", "system"),
        (OrderStatus.PENDING_APPROVAL, "signature", "mona"), (OrderStatus.APPROVED, "transition", "dan")]
    stored = desk.ledger.get(order_id)
    assert stored is not None and stored.steps == details.steps and stored.awaiting_role is None
    changes = [change for change in await desk.changes(0, 100) if change.order_id == order_id]
    assert [(c.kind, c.order.awaiting_role) for c in changes] == [
        ("created", None), ("transition", Role.MANAGER), ("signature", Role.DIRECTOR), ("transition", None)]
    assert {c.order.amount for c in changes} == {Decimal(80_000_000)}


async def test_a_rejection_at_step_two_ends_the_order(desk: OrderService, worker: Worker) -> None:
    order_id = await pending(desk, LARGE)
    await desk.approve(order_id, MANAGER)

    with pytest.raises(Forbidden) as manager_rejects:
        await desk.reject(order_id, OTHER_MANAGER, "too dear")
    assert manager_rejects.value.code is ErrorCode.WRONG_STEP_ROLE
    assert await desk.reject(order_id, DIRECTOR, "not this quarter") is OrderStatus.REJECTED
    await wait_closed(desk, order_id)
    details = await desk.details(order_id)
    assert details.steps[1].signature is None and details.history[-1].reason == "not this quarter"
    assert desk.ledger.fulfilment_outcome(order_id) == "REJECTED"


async def test_who_may_sign_which_step(desk: OrderService, worker: Worker) -> None:
    """A clerk signs nothing; a manager no director's step; the creator no step; nobody two steps of one order."""
    order_id = await pending(desk, LARGE)

    async def refused(actor: Actor) -> ErrorCode:
        with pytest.raises(Forbidden) as refusal:
            await desk.approve(order_id, actor)
        assert refusal.value.current_status is OrderStatus.PENDING_APPROVAL
        return refusal.value.code

    assert await refused(CLERK) is ErrorCode.MANAGER_ONLY
    own = await desk.create_order(LARGE, DIRECTOR)
    await wait_for_status(desk, own, OrderStatus.PENDING_APPROVAL)
    with pytest.raises(Forbidden) as creator:
        await desk.approve(own, DIRECTOR)
    assert creator.value.code is ErrorCode.FOUR_EYES

    signed = await desk.approve(order_id, DIRECTOR, "a director may sign a manager's step")
    assert signed is OrderStatus.PENDING_APPROVAL
    assert await refused(DIRECTOR) is ErrorCode.ALREADY_SIGNED
    assert await refused(MANAGER) is ErrorCode.WRONG_STEP_ROLE
    assert await desk.approve(order_id, OTHER_DIRECTOR) is OrderStatus.APPROVED
    await desk.cancel(own, DIRECTOR)


async def test_cancel_works_while_any_step_is_open(desk: OrderService, worker: Worker) -> None:
    order_id = await pending(desk, LARGE)
    await desk.approve(order_id, MANAGER)
    assert await desk.cancel(order_id, CLERK, "bought elsewhere") is OrderStatus.CANCELLED
    await wait_closed(desk, order_id)
    assert (await desk.details(order_id)).awaiting_role is None


async def test_a_policy_changed_later_leaves_orders_in_flight_alone(
        desk: OrderService, worker: Worker, tmp_path: Path) -> None:
    in_flight = await pending(desk, LARGE)
    lenient = with_policy(desk, tmp_path / "lenient.toml",
                          '[[tiers]]\nup_to = 100000000\napprovers = []\n[[tiers]]\napprovers = ["director"]\n')

    later = await lenient.create_order(LARGE, CLERK)
    await wait_closed(lenient, later)
    assert (await lenient.details(later)).history[-1].actor == "system"

    assert await lenient.approve(in_flight, MANAGER) is OrderStatus.PENDING_APPROVAL
    details = await lenient.details(in_flight)
    assert details.awaiting_role is Role.DIRECTOR and details.policy == str(tmp_path / "policy.toml")
    assert await lenient.approve(in_flight, DIRECTOR) is OrderStatus.APPROVED


async def test_each_step_has_its_own_deadline(service: OrderService, tmp_path: Path, settings: Settings) -> None:
    """The deadline counts from the step's start: a signature just before it gives the next step the whole time."""
    from core.worker import build_worker

    desk = with_policy(service, tmp_path / "policy.toml", approval_deadline=3.0, approval_reminder=None)
    async with build_worker(desk.client, desk.settings):
        order_id = await pending(desk, LARGE)
        await desk.approve(order_id, MANAGER)
        await wait_for_status(desk, order_id, OrderStatus.EXPIRED)
        details = await desk.details(order_id)
    signed, expired = details.history[-2:]
    assert signed.kind == "signature" and expired.status is OrderStatus.EXPIRED
    assert (expired.at - signed.at).total_seconds() >= 3.0


async def test_the_open_demos_approve_signal_signs_the_awaited_step(
        service: OrderService, worker: Worker, tmp_path: Path) -> None:
    """No identities: each of the seed's approve signals signs the step the order awaits, as `api`."""
    desk = with_policy(service, tmp_path / "policy.toml", roles={})
    order_id = await desk.create_order(LARGE, Actor(name="api"))
    await wait_for_status(desk, order_id, OrderStatus.PENDING_APPROVAL)
    handle = desk.client.get_workflow_handle(order_id)

    await handle.signal("approve")

    async def director_awaited() -> None:
        assert (await desk.details(order_id)).awaiting_role is Role.DIRECTOR
    await assert_eventually(director_awaited)
    await handle.signal("approve")
    await wait_closed(desk, order_id)
    details = await desk.details(order_id)
    assert details.status is OrderStatus.APPROVED
    assert [step.signature.actor for step in details.steps if step.signature] == ["api", "api"]


async def test_amounts_and_awaited_roles_filter_the_ledger(desk: OrderService, worker: Worker) -> None:
    medium, large = await pending(desk, MEDIUM), await pending(desk, LARGE)

    async def ids(where: OrderFilter) -> set[str]:
        return {order.order_id for order in await desk.list_orders(where)}

    async def filtered() -> None:
        assert await ids(OrderFilter(min_amount=Decimal(12_000_000), max_amount=Decimal(12_000_000))) == {medium}
        assert await ids(OrderFilter(min_amount=Decimal("12000000.5"))) == {large}
        assert await ids(OrderFilter(awaiting_roles=frozenset({Role.MANAGER}), currency="VND")) == {medium, large}
        assert await ids(OrderFilter(awaiting_roles=frozenset({Role.DIRECTOR}))) == set()
        assert await desk.count_orders(ALL_ORDERS) == 2
    await assert_eventually(filtered)

    await desk.approve(large, MANAGER)

    async def signed() -> None:
        assert await ids(OrderFilter(awaiting_roles=frozenset({Role.DIRECTOR}))) == {large}
        assert await ids(OrderFilter(awaiting_roles=frozenset(Role), reviewer="mona")) == {medium}
        assert await ids(OrderFilter(awaiting_roles=frozenset(Role), reviewer="alice")) == set()
    await assert_eventually(signed)


def test_the_rule_book_checks_the_state_then_the_step_then_four_eyes() -> None:
    """``refusal()`` on its own: a race's loser learns the status first; a role below the step is refused before
    four-eyes is looked at; a signer's second signature is refused, their rejection is not."""
    from datetime import UTC, datetime

    from core.models import Action, ApprovalStep, Decision, OrderInput, Signature
    from workflows.decision_rules import refusal

    order = OrderInput(order_id="order_rules", item="Máy chủ", quantity=1, created_by="mona", four_eyes=True)
    signed = [ApprovalStep(role=Role.MANAGER, signature=Signature(actor="dan", role=Role.DIRECTOR,
                                                                  at=datetime(2026, 12, 1, tzinfo=UTC))),
              ApprovalStep(role=Role.DIRECTOR)]

    def code(action: Action, actor: Actor, status: OrderStatus = OrderStatus.PENDING_APPROVAL) -> str | None:
        error = refusal(Decision(action=action, actor=actor), order, status, signed)
        return None if error is None else error.details[1]

    assert code(Action.APPROVE, MANAGER, OrderStatus.APPROVED) == ErrorCode.INVALID_TRANSITION
    assert code(Action.APPROVE, Actor(name="mona", role=Role.MANAGER)) == ErrorCode.WRONG_STEP_ROLE  # not four_eyes
    assert code(Action.APPROVE, Actor(name="mona", role=Role.DIRECTOR)) == ErrorCode.FOUR_EYES
    assert code(Action.APPROVE, DIRECTOR) == ErrorCode.ALREADY_SIGNED
    assert code(Action.REJECT, DIRECTOR) is None
    assert code(Action.APPROVE, OTHER_DIRECTOR) is None
    assert code(Action.REJECT, MANAGER) == ErrorCode.WRONG_STEP_ROLE
    assert code(Action.CANCEL, MANAGER) is None
    assert code(Action.APPROVE, Actor(name="anyone")) is None  # no role: the open demo signs any step
