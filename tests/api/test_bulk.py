"""``POST /orders/bulk/{approve|reject|cancel}``: one result per order in request order, each decided by exactly
the rules of a single decision (state, roles, four-eyes), and the route never taken for an order's own."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from core.api import create_app
from core.service import OrderService
from tests.helpers import assert_eventually, free_port

TOKENS = {
    "clerk-alice-token": {"user": "alice", "role": "clerk"},
    "manager-bob-token": {"user": "bob", "role": "manager"},
}
UNKNOWN = "order_ffffffffffffffff"


def _client(service: OrderService, **changes: Any) -> httpx.AsyncClient:
    settings = service.settings.model_copy(update=changes)
    app = create_app(settings, OrderService(service.client, settings, service.ledger))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000")


@pytest.fixture
async def roles_client(service: OrderService, worker: Worker, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(TOKENS))
    async with _client(service, tokens_file=tokens_file) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def pending_orders(client: httpx.AsyncClient, count: int, headers: dict[str, str] | None = None,
                         item: str = "Laptop Gaming XYZ") -> list[str]:
    orders = []
    for _ in range(count):
        created = await client.post("/orders", json={"item": item, "quantity": 1}, headers=headers)
        assert created.status_code == 201, created.text
        orders.append(created.json()["order_id"])

    async def all_pending() -> None:
        for order_id in orders:
            status = await client.get(f"/orders/{order_id}/status", headers=headers)
            assert status.json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(all_pending)
    return orders


def outcomes(response: httpx.Response) -> list[tuple[str, bool, str | None, str | None]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"]) and body["succeeded"] == sum(result["ok"] for result in body["data"])
    return [(result["order_id"], result["ok"], result["status"], result["error_type"]) for result in body["data"]]


async def test_bulk_approve_answers_each_order_in_request_order(client: httpx.AsyncClient) -> None:
    first, second, cancelled = await pending_orders(client, 3)
    assert (await client.post(f"/orders/{cancelled}/cancel")).status_code == 200
    asked = [second, UNKNOWN, cancelled, first, "nope", second, ""]

    response = await client.post("/orders/bulk/approve", json={"order_ids": asked, "reason": " month-end "},
                                 headers={"X-Actor": "bob"})

    assert outcomes(response) == [
        (second, True, "APPROVED", None),
        (UNKNOWN, False, None, "not_found"),
        (cancelled, False, "CANCELLED", "invalid_transition"),
        (first, True, "APPROVED", None),
        ("nope", False, None, "not_found"),
        ("", False, None, "not_found"),
    ]  # the repeated ID answered once, where it first appeared
    errors = {result["order_id"]: result["error"] for result in response.json()["data"]}
    assert errors[cancelled] == "cannot approve an order that is CANCELLED"
    assert errors[UNKNOWN] == f"order {UNKNOWN} not found"
    for order_id in (first, second):
        details = (await client.get(f"/orders/{order_id}")).json()
        assert details["status"] == "APPROVED"
        assert [(step["status"], step["actor"], step["reason"]) for step in details["history"][2:]] == [
            ("APPROVED", "bob", "month-end")]  # exactly one decision, though asked twice


@pytest.mark.parametrize(("action", "outcome"), [("reject", "REJECTED"), ("cancel", "CANCELLED")])
async def test_bulk_reject_and_cancel(client: httpx.AsyncClient, action: str, outcome: str) -> None:
    orders = await pending_orders(client, 2)

    response = await client.post(f"/orders/bulk/{action}", json={"order_ids": orders})

    assert outcomes(response) == [(order_id, True, outcome, None) for order_id in orders]
    for order_id in orders:
        assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": outcome}


async def test_a_clerk_cannot_bulk_approve_each_result_is_forbidden(roles_client: httpx.AsyncClient) -> None:
    orders = await pending_orders(roles_client, 2, bearer("clerk-alice-token"))

    response = await roles_client.post("/orders/bulk/approve", json={"order_ids": orders},
                                       headers=bearer("clerk-alice-token"))

    assert outcomes(response) == [(order_id, False, "PENDING_APPROVAL", "forbidden") for order_id in orders]
    assert all("clerk" in result["error"] for result in response.json()["data"])
    for order_id in orders:
        status = await roles_client.get(f"/orders/{order_id}/status", headers=bearer("clerk-alice-token"))
        assert status.json() == {"status": "PENDING_APPROVAL"}


async def test_bulk_keeps_four_eyes_and_clerks_cancel_only_their_own(roles_client: httpx.AsyncClient) -> None:
    [by_alice] = await pending_orders(roles_client, 1, bearer("clerk-alice-token"))
    by_bob, bobs_other = await pending_orders(roles_client, 2, bearer("manager-bob-token"))

    approved = await roles_client.post("/orders/bulk/approve", json={"order_ids": [by_alice, by_bob]},
                                       headers=bearer("manager-bob-token"))
    cancelled = await roles_client.post("/orders/bulk/cancel", json={"order_ids": [bobs_other, by_alice]},
                                        headers=bearer("clerk-alice-token"))

    assert outcomes(approved) == [(by_alice, True, "APPROVED", None),
                                  (by_bob, False, "PENDING_APPROVAL", "forbidden")]
    assert "four-eyes" in approved.json()["data"][1]["error"]
    assert outcomes(cancelled) == [(bobs_other, False, "PENDING_APPROVAL", "forbidden"),
                                   (by_alice, False, "APPROVED", "invalid_transition")]


async def test_bulk_needs_the_token_when_one_is_configured(roles_client: httpx.AsyncClient) -> None:
    missing = await roles_client.post("/orders/bulk/cancel", json={"order_ids": [UNKNOWN]})
    wrong = await roles_client.post("/orders/bulk/cancel", json={"order_ids": [UNKNOWN]}, headers=bearer("guess"))

    assert missing.status_code == wrong.status_code == 401


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/orders/bulk/approve", {"order_ids": []}, "order_ids"),
    ("/orders/bulk/approve", {"order_ids": [UNKNOWN] * 501}, "order_ids"),
    ("/orders/bulk/approve", {"order_ids": [42]}, "order_ids.0"),
    ("/orders/bulk/approve", {"order_ids": ["x" * 201]}, "order_ids.0"),
    ("/orders/bulk/approve", {"order_ids": UNKNOWN}, "order_ids"),
    ("/orders/bulk/approve", {}, "order_ids"),
    ("/orders/bulk/approve", {"order_ids": [UNKNOWN], "reason": "x" * 501}, "reason"),
    ("/orders/bulk/approve", {"order_ids": [UNKNOWN], "note": "hi"}, "note"),
    ("/orders/bulk/approve", None, "body"),
    ("/orders/bulk/ship", {"order_ids": [UNKNOWN]}, "action"),
])
async def test_an_invalid_bulk_request_is_422_naming_the_field(service: OrderService, path: str,
                                                               body: Any, field: str) -> None:
    async with _client(service) as client:
        response = await client.post(path, json=body)

    assert response.status_code == 422, response.text
    assert field in {error["field"] or error["location"] for error in response.json()["errors"]}


async def test_500_distinct_ids_are_accepted(client: httpx.AsyncClient) -> None:
    asked = [f"order_{index:012x}" for index in range(500)]

    response = await client.post("/orders/bulk/cancel", json={"order_ids": asked})

    assert outcomes(response) == [(order_id, False, None, "not_found") for order_id in asked]


async def test_the_bulk_route_is_not_taken_for_an_order_named_bulk(client: httpx.AsyncClient) -> None:
    """Without a body, the single route would answer 404 for order ``bulk``; the bulk route wants its list."""
    response = await client.post("/orders/bulk/approve")

    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body"


async def test_with_temporal_unreachable_each_result_is_unavailable(service: OrderService) -> None:
    unreachable = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True, data_converter=pydantic_data_converter)
    app = create_app(service.settings, OrderService(unreachable, service.settings, service.ledger))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000") as client:
        response = await client.post("/orders/bulk/approve", json={"order_ids": [UNKNOWN, "nope"]})

    assert outcomes(response) == [(UNKNOWN, False, None, "unavailable"), ("nope", False, None, "not_found")]
    assert "Temporal does not answer" in response.json()["data"][0]["error"]
    assert response.json()["succeeded"] == 0


async def test_a_retried_bulk_request_with_a_key_gets_the_same_results(
        client: httpx.AsyncClient, service: OrderService) -> None:
    from tests.test_workflow import ALICE, pending_order

    order_id = await pending_order(service, actor=ALICE)
    headers = {"Idempotency-Key": "bulk-retry-1"}
    first = await client.post("/orders/bulk/approve", json={"order_ids": [order_id]}, headers=headers)
    again = await client.post("/orders/bulk/approve", json={"order_ids": [order_id]}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["data"] == again.json()["data"]
    assert first.json()["data"][0]["status"] == "APPROVED" and first.json()["data"][0]["ok"]


async def test_a_bulk_key_reused_with_another_reason_is_a_conflict_for_each_order(
        client: httpx.AsyncClient, service: OrderService) -> None:
    from tests.test_workflow import ALICE, pending_order

    order_id = await pending_order(service, actor=ALICE)
    headers = {"Idempotency-Key": "bulk-retry-2"}
    first = await client.post("/orders/bulk/reject", json={"order_ids": [order_id], "reason": "over budget"},
                              headers=headers)
    changed = await client.post("/orders/bulk/reject", json={"order_ids": [order_id], "reason": "duplicate"},
                                headers=headers)
    assert first.json()["data"][0]["ok"]
    assert outcomes(changed) == [(order_id, False, None, "invalid_request")]
    assert changed.json()["data"][0]["code"] == "idempotency_conflict"
