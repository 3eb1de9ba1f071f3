"""The ledger as a user sees it: orders decided over HTTP are still all there - status, details with history,
the list, the CSV - from an app whose Temporal server has never heard of them (a brand-new, empty one, as
after the retention period or a lost Temporal database), because the app's own ledger kept them."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from core.api import create_app
from core.embedded_server import EmbeddedServer
from core.service import OrderService
from core.settings import Settings
from tests.api.test_orders import pending_order
from tests.helpers import assert_eventually, free_port

VIETNAMESE = "Máy tính xách tay Đặc biệt — bàn phím cơ, màn hình 15,6″"


def _client(service: OrderService) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(service.settings, service))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:8000")


@pytest.fixture
async def empty_temporal(tmp_path: Path) -> AsyncIterator[str]:
    server = EmbeddedServer(Settings(_env_file=None, data_dir=tmp_path / "fresh-temporal", embedded_port=free_port(),
                                     embedded_ui_port=free_port()))
    try:
        yield await server.start()
    finally:
        server.stop()


async def decide_three(client: httpx.AsyncClient) -> dict[str, str]:
    """Approve a Vietnamese order, reject one, cancel one; return each order's final status once its
    workflow has finished (and so has written its last ledger row)."""
    created = await client.post("/orders", json={"item": VIETNAMESE, "quantity": 2}, headers={"X-Actor": "alice"})
    vietnamese = created.json()["order_id"]
    await assert_eventually(lambda: _status_is(client, vietnamese, "PENDING_APPROVAL"))
    finals = {vietnamese: "APPROVED", await pending_order(client): "REJECTED", await pending_order(client): "CANCELLED"}
    actions = {"APPROVED": "approve", "REJECTED": "reject", "CANCELLED": "cancel"}
    for order_id, final in finals.items():
        decided = await client.post(f"/orders/{order_id}/{actions[final]}", json={"reason": f"lý do {final}"},
                                    headers={"X-Actor": "bob"})
        assert decided.json() == {"order_id": order_id, "status": final}

    async def all_finished() -> None:
        for order_id in finals:
            assert (await client.get(f"/orders/{order_id}")).json()["fulfilled"] is True

    await assert_eventually(all_finished)
    return finals


async def _status_is(client: httpx.AsyncClient, order_id: str, status: str) -> None:
    assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": status}


async def test_a_new_temporal_server_still_shows_every_order_from_the_ledger(
        service: OrderService, worker: Worker, empty_temporal: str) -> None:
    async with _client(service) as before:
        finals = await decide_three(before)
        seen = {order_id: (await before.get(f"/orders/{order_id}")).json() for order_id in finals}
        exported_before = (await before.get("/orders.csv")).content

    amnesiac = await OrderService.connect(service.settings, empty_temporal)  # same data dir: the same ledger
    for order_id in finals:
        with pytest.raises(RPCError) as unknown:
            await amnesiac.client.get_workflow_handle(order_id).describe()
        assert unknown.value.status is RPCStatusCode.NOT_FOUND
    async with _client(amnesiac) as after:
        statuses = {order_id: (await after.get(f"/orders/{order_id}/status")).json() for order_id in finals}
        details = {order_id: (await after.get(f"/orders/{order_id}")).json() for order_id in finals}
        approved = (await after.get("/orders", params={"status": "APPROVED"})).json()
        everything = (await after.get("/orders")).json()
        exported = await after.get("/orders.csv")
        late = await after.post(f"/orders/{next(iter(finals))}/cancel")

    assert statuses == {order_id: {"status": final} for order_id, final in finals.items()}
    assert details == seen  # item text, history (time, actor, reason), everything, to the microsecond
    vietnamese = next(iter(finals))
    assert details[vietnamese]["item"] == VIETNAMESE
    assert [(step["status"], step["actor"], step["reason"]) for step in details[vietnamese]["history"]] == [
        ("VALIDATING", "alice", None), ("PENDING_APPROVAL", "system", None), ("APPROVED", "bob", "lý do APPROVED")]
    assert [order["order_id"] for order in approved["data"]] == [vietnamese] and approved["count"] == 1
    assert {order["order_id"]: order["status"] for order in everything["data"]} == finals
    assert exported.content == exported_before
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    assert {row["order_id"]: (row["status"], row["item"]) for row in rows}[vietnamese] == ("APPROVED", VIETNAMESE)
    assert late.status_code == 409 and late.json()["status"] == "APPROVED"
