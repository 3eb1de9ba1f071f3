"""The approval deadline as an HTTP client sees it: an order nobody decides ends ``EXPIRED`` (after reminders),
its history says so, a late decision is 409 with ``EXPIRED``, and the list finds it by that status."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from core.api import create_app
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import assert_eventually


@pytest.fixture
async def client(settings: Settings, temporal_address: str) -> AsyncIterator[httpx.AsyncClient]:
    """Settings as an operator writes them (ISO 8601 and plain seconds), a service and a worker on them."""
    rules = Settings(_env_file=None, **settings.model_dump(exclude={"approval_deadline", "approval_reminder"}),
                     approval_deadline="PT2S", approval_reminder="1")
    assert (rules.approval_deadline.total_seconds(), rules.approval_reminder.total_seconds()) == (2, 1)
    service = await OrderService.connect(rules, temporal_address)
    async with build_worker(service.client, rules):
        transport = httpx.ASGITransport(app=create_app(rules, service))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
            yield client


async def test_an_undecided_order_expires_and_a_late_approval_is_409(client: httpx.AsyncClient) -> None:
    order_id = (await client.post("/orders", json={"item": "Bàn làm việc", "quantity": 1})).json()["order_id"]

    async def expired() -> None:
        assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": "EXPIRED"}

    await assert_eventually(expired, timeout=20.0)
    late = await client.post(f"/orders/{order_id}/approve", headers={"X-Actor": "bob"})
    details = (await client.get(f"/orders/{order_id}")).json()
    listed = (await client.get("/orders", params={"status": "EXPIRED"})).json()

    assert late.status_code == 409
    assert late.json() == {"detail": "cannot approve an order that is EXPIRED", "code": "invalid_transition",
                           "status": "EXPIRED"}
    steps = [(step["status"], step["kind"], step["actor"]) for step in details["history"]]
    assert steps[:2] == [("VALIDATING", "transition", "api"), ("PENDING_APPROVAL", "transition", "system")]
    assert steps[-1] == ("EXPIRED", "transition", "system")
    assert details["history"][-1]["reason"] == "approval deadline passed"
    reminders = steps[2:-1]
    assert reminders and set(reminders) == {("PENDING_APPROVAL", "reminder", "system")}
    assert details["status"] == "EXPIRED" and details["item"] == "Bàn làm việc"
    assert [order["order_id"] for order in listed["data"]] == [order_id] and listed["count"] == 1
