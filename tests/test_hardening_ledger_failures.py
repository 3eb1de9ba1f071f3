"""A ledger write that keeps failing is seen, not silent: logged with the order's ID, listed as stuck, retried
slowly, and the order resumes by itself once the cause is fixed. The database refuses for real: a trigger."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import text
from temporalio.worker import Worker

from core.api import create_app
from core.models import Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import assert_eventually
from tests.test_hardening_text import postgres_ledger_url  # noqa: F401  (a fixture)
from tests.test_workflow import wait_for_status

REFUSE = {
    "postgresql": [
        """CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN
             IF NEW.item LIKE '%poison%' THEN RAISE EXCEPTION 'poison is not welcome here'; END IF;
             RETURN NEW; END $$ LANGUAGE plpgsql""",
        "CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
    ],
    "sqlite": [
        """CREATE TRIGGER refuse_poison BEFORE INSERT ON orders WHEN NEW.item LIKE '%poison%'
           BEGIN SELECT RAISE(ABORT, 'poison is not welcome here'); END""",
    ],
}
ALLOW = {"postgresql": ["DROP TRIGGER refuse_poison ON orders"], "sqlite": ["DROP TRIGGER refuse_poison"]}


@pytest.fixture(params=["sqlite", "postgresql"])
async def refusing(request: pytest.FixtureRequest, settings: Settings, temporal_address: str) -> OrderService:
    if request.param == "postgresql":
        settings = settings.model_copy(update={"database_url": request.getfixturevalue("postgres_ledger_url")})
    service = await OrderService.connect(settings, temporal_address)
    with service.ledger.engine.begin() as db:
        for statement in REFUSE[service.ledger.engine.dialect.name]:
            db.execute(text(statement))
    return service


async def test_a_refused_write_is_logged_listed_and_resumes_once_fixed(
        refusing: OrderService, caplog: pytest.LogCaptureFixture) -> None:
    service = refusing
    caplog.set_level(logging.ERROR)
    async with build_worker(service.client, service.settings):
        order_id = await service.create_order(OrderRequest(item="poison pill", quantity=1), Actor(name="alice"))
        fine = await service.create_order(OrderRequest(item="vitamins", quantity=1), Actor(name="alice"))
        await wait_for_status(service, fine, OrderStatus.PENDING_APPROVAL)

        async def listed_as_stuck() -> None:
            stuck = await service.stuck_orders()
            assert [order.order_id for order in stuck] == [order_id]
            assert stuck[0].attempts >= 2 and "poison is not welcome here" in stuck[0].error

        await assert_eventually(listed_as_stuck, timeout=30)
        assert (await healthz(service)) == {"status": "degraded", "stuck_count": 1, "stuck_orders": [order_id]}
        assert any(order_id in record.getMessage() and record.levelno == logging.ERROR
                   for record in caplog.records)
        assert await service.status(order_id) is OrderStatus.VALIDATING

        with service.ledger.engine.begin() as db:
            for statement in ALLOW[service.ledger.engine.dialect.name]:
                db.execute(text(statement))
        await wait_for_status(service, order_id, OrderStatus.PENDING_APPROVAL)  # by itself, no one acted

        async def cleared() -> None:
            assert await service.stuck_orders() == []
            stored = service.ledger.get(order_id)
            assert stored is not None and stored.status is OrderStatus.PENDING_APPROVAL

        await assert_eventually(cleared, timeout=60)
        assert (await healthz(service)) == {"status": "ok", "stuck_count": 0, "stuck_orders": []}


async def healthz(service: OrderService) -> dict[str, object]:
    app = create_app(service.settings, service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000") as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    return response.json()


async def test_a_write_that_succeeds_at_once_leaves_no_note(service: OrderService, worker: Worker) -> None:
    from tests.test_workflow import pending_order

    await pending_order(service)
    assert await service.stuck_orders() == []
