"""An Idempotency-Key keeps its promise after Temporal's retention: the ledger remembers the order, so a retried
create finds it instead of starting a second workflow under the same ID."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from core.embedded_server import EmbeddedServer
from core.errors import IdempotencyConflict
from core.models import Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from tests.helpers import free_port
from tests.test_workflow import wait_closed, wait_for_status

ALICE = Actor(name="alice")
DESK = OrderRequest(item="Bàn làm việc", quantity=2)


@pytest.fixture
async def forgetful_temporal(tmp_path: Path) -> AsyncIterator[str]:
    """A brand-new Temporal server: to it, every order is one it has forgotten (as after the retention)."""
    server = EmbeddedServer(Settings(_env_file=None, data_dir=tmp_path / "fresh", embedded_port=free_port(),
                                     embedded_ui_port=free_port()))
    try:
        yield await server.start()
    finally:
        server.stop()


async def test_a_retried_create_finds_the_order_temporal_forgot(
        service: OrderService, worker: Worker, forgetful_temporal: str) -> None:
    order_id = await service.create_order(DESK, ALICE, idempotency_key="po-2026-0042")
    await wait_for_status(service, order_id, OrderStatus.PENDING_APPROVAL)
    await service.approve(order_id, Actor(name="mona"))
    await wait_closed(service, order_id)

    after_retention = await OrderService.connect(service.settings, forgetful_temporal)
    again = await after_retention.create_order(DESK, ALICE, idempotency_key="po-2026-0042")

    assert again == order_id
    assert await after_retention.status(order_id) is OrderStatus.APPROVED  # from the ledger
    with pytest.raises(RPCError) as never_started:
        await after_retention.client.get_workflow_handle(order_id).describe()
    assert never_started.value.status is RPCStatusCode.NOT_FOUND
    with pytest.raises(IdempotencyConflict):
        await after_retention.create_order(OrderRequest(item="Ghế", quantity=1), ALICE, idempotency_key="po-2026-0042")
