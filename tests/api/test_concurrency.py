"""Requests that race each other over HTTP: concurrent creates with one ``Idempotency-Key`` make one order, and
concurrent decisions on one order leave one final state, the losers told the winner's status (409)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.api.test_orders import pending_order
from tests.helpers import assert_eventually

DESK = {"item": "Bàn họp 8 chỗ", "quantity": 2}


async def test_twenty_concurrent_creates_with_one_key_make_one_order(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "burst-5c1d", "X-Actor": "alice"}

    responses = await asyncio.gather(*(client.post("/orders", json=DESK, headers=key) for _ in range(20)))

    assert [response.status_code for response in responses] == [201] * 20, [r.text for r in responses]
    [order_id] = {response.json()["order_id"] for response in responses}

    async def one_order() -> None:
        listed = (await client.get("/orders")).json()
        assert [order["order_id"] for order in listed["data"]] == [order_id] and listed["count"] == 1

    await assert_eventually(one_order)
    details = (await client.get(f"/orders/{order_id}")).json()
    assert [step["status"] for step in details["history"]].count("VALIDATING") == 1  # one workflow run
    other_body = await client.post("/orders", json={**DESK, "quantity": 3}, headers=key)
    assert other_body.status_code == 422
    assert "Idempotency-Key" in other_body.json()["detail"]


async def test_a_keyed_create_retried_after_the_order_was_decided_still_finds_it(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "late-retry-77"}
    order_id = (await client.post("/orders", json=DESK, headers=key)).json()["order_id"]
    await assert_eventually(lambda: _has_status(client, order_id, "PENDING_APPROVAL"))
    await client.post(f"/orders/{order_id}/cancel")
    await assert_eventually(lambda: _closed(client, order_id))

    retried = await client.post("/orders", json=DESK, headers=key)

    assert retried.status_code == 201
    assert retried.json() == {"order_id": order_id, "status": "CANCELLED"}


async def _has_status(client: httpx.AsyncClient, order_id: str, status: str) -> None:
    assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": status}


async def _closed(client: httpx.AsyncClient, order_id: str) -> None:
    assert (await client.get(f"/orders/{order_id}")).json()["fulfilled"] is True


@pytest.mark.parametrize("contenders", [
    [("approve", "bob"), ("cancel", "alice")],
    [("approve", "bob"), ("approve", "dana")],
    [("reject", "bob"), ("approve", "dana"), ("cancel", "alice"), ("approve", "erin")],
])
async def test_concurrent_decisions_resolve_to_one_final_state(client: httpx.AsyncClient,
                                                               contenders: list[tuple[str, str]]) -> None:
    order_id = await pending_order(client)

    responses = await asyncio.gather(*(client.post(f"/orders/{order_id}/{action}", headers={"X-Actor": actor})
                                       for action, actor in contenders))

    codes = [response.status_code for response in responses]
    assert sorted(codes) == [200] + [409] * (len(contenders) - 1), [r.text for r in responses]
    winner = codes.index(200)
    final = responses[winner].json()["status"]
    for loser in (response for index, response in enumerate(responses) if index != winner):
        assert loser.json()["status"] == final
        assert loser.json()["detail"].endswith(f"an order that is {final}")
    assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": final}
    history = (await client.get(f"/orders/{order_id}")).json()["history"]
    assert [(step["status"], step["actor"]) for step in history[2:]] == [(final, contenders[winner][1])]
