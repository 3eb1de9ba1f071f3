"""No path around the rules on a team server: an order created while users exist refuses the seed's signals (they
carry no authenticated identity), forged or payload-less, sent straight to Temporal; it is decided only through the
Update, with a role. An order of the open demo keeps the seed's signal contract."""

from __future__ import annotations

import logging

import pytest
from temporalio.worker import Worker

from core.errors import ErrorCode, Forbidden
from core.models import Action, Actor, Decision, OrderRequest, OrderStatus, Role
from core.service import OrderService
from tests.helpers import assert_eventually

LAPTOP = OrderRequest(item="Laptop Gaming XYZ", quantity=1)
CLERK = Actor(name="Nguyễn Văn An", role=Role.CLERK)
MANAGER = Actor(name="mona", role=Role.MANAGER)


async def pending_order(service: OrderService, actor: Actor) -> str:
    order_id = await service.create_order(LAPTOP, actor)

    async def pending() -> None:
        assert await service.status(order_id) == OrderStatus.PENDING_APPROVAL

    await assert_eventually(pending)
    return order_id


def refusals(caplog: pytest.LogCaptureFixture, order_id: str) -> list[str]:
    messages = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    return [message for message in messages if order_id in message and message.startswith("Refused")]


async def test_a_team_order_refuses_forged_and_payloadless_signals(service: OrderService, worker: Worker,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    service.users.add(MANAGER.name, Role.MANAGER)
    order_id = await pending_order(service, CLERK)
    handle = service.client.get_workflow_handle(order_id)

    forged = Decision(action=Action.APPROVE, actor=Actor(name="mallory", role=Role.MANAGER), reason="forged")
    await handle.signal("approve", forged)
    await handle.signal("reject")
    await handle.signal("cancel", Decision(action=Action.CANCEL, actor=CLERK))

    async def all_refused() -> None:
        assert len(refusals(caplog, order_id)) == 3

    await assert_eventually(all_refused)
    assert await service.status(order_id) == OrderStatus.PENDING_APPROVAL
    assert await service.approve(order_id, MANAGER, "budget ok") == OrderStatus.APPROVED
    history = (await service.details(order_id)).history
    assert [(t.status, t.actor) for t in history] == [
        (OrderStatus.VALIDATING, CLERK.name), (OrderStatus.PENDING_APPROVAL, "system"),
        (OrderStatus.APPROVED, MANAGER.name)]


async def test_a_team_order_refuses_a_decision_without_a_role(service: OrderService, worker: Worker) -> None:
    service.users.add(MANAGER.name, Role.MANAGER)
    order_id = await pending_order(service, CLERK)

    with pytest.raises(Forbidden) as refused:
        await service.approve(order_id, Actor(name="api"))

    assert refused.value.code == ErrorCode.ROLE_REQUIRED
    assert refused.value.current_status == OrderStatus.PENDING_APPROVAL
    assert await service.status(order_id) == OrderStatus.PENDING_APPROVAL


async def test_a_team_order_keeps_four_eyes_even_without_configured_roles(service: OrderService,
                                                                          worker: Worker) -> None:
    service.users.add(MANAGER.name, Role.MANAGER)
    order_id = await pending_order(service, MANAGER)

    with pytest.raises(Forbidden) as refused:
        await service.approve(order_id, MANAGER)

    assert refused.value.code == ErrorCode.FOUR_EYES


async def test_an_open_demo_order_keeps_the_seeds_signals(service: OrderService, worker: Worker) -> None:
    order_id = await pending_order(service, Actor(name="api"))

    await service.client.get_workflow_handle(order_id).signal("approve")

    async def approved() -> None:
        assert await service.status(order_id) == OrderStatus.APPROVED

    await assert_eventually(approved)
    assert (await service.details(order_id)).history[-1].actor == "api"
