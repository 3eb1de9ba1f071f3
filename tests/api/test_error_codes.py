"""Every kind of error answers its ``code`` beside ``detail``, and bulk results carry the code each single
decision would have answered: the contract clients branch on, never the English text. Each is provoked for
real, against the session's Temporal server (or a port where none listens, or a database that does not answer).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from core.api import create_app
from core.api.errors import HTTP_CODES, SERVICE_STATUS
from core.api.limits import MAX_BODY_BYTES
from core.errors import ErrorCode
from core.http_service import HttpOrderService
from core.ledger import Ledger
from core.models import Action, OrderStatus
from core.service import OrderService
from core.worker import build_worker
from tests.api.test_auth import pending_order
from tests.helpers import assert_eventually, free_port

REST_MD = Path(__file__).parents[2] / "docs" / "REST.md"
ORDER = {"item": "Laptop Gaming XYZ", "quantity": 1}
UNKNOWN = "order_ffffffffffffffff"
TOKENS = {
    "clerk-alice-token": {"user": "alice", "role": "clerk"},
    "clerk-carol-token": {"user": "carol", "role": "clerk"},
    "manager-bob-token": {"user": "bob", "role": "manager"},
}
ALICE, CAROL, BOB = ({"Authorization": f"Bearer {token}"} for token in TOKENS)


def app_client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:8000")


def over(service: OrderService, temporal: Client | None = None, ledger: Ledger | None = None,
         **changes: Any) -> httpx.AsyncClient:
    """A client of the app over the test's Temporal and ledger, or the given ones, with settings changed."""
    settings = service.settings.model_copy(update=changes)
    return app_client(create_app(settings, OrderService(temporal or service.client, settings,
                                                        ledger or service.ledger)))


def code(response: httpx.Response, status: int) -> str:
    """The error body's ``code``, once the status is as expected and ``detail`` is there for people."""
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body["code"]




@pytest.fixture
async def roles_client(service: OrderService, worker: Worker, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(TOKENS))
    async with over(service, tokens_file=tokens_file) as client:
        yield client


@pytest.fixture
async def unreachable_temporal() -> Client:
    """A lazy client on a port nobody listens on: every call finds no Temporal."""
    return await Client.connect(f"127.0.0.1:{free_port()}", lazy=True, data_converter=pydantic_data_converter)


@pytest.mark.parametrize(("method", "path", "request_args", "status", "expected"), [
    ("POST", "/orders", {"json": {"quantity": 1}}, 422, "invalid_request"),
    ("POST", "/orders", {"content": b'{"item": "\xff", "quantity": 1}',
                         "headers": {"Content-Type": "application/json"}}, 422, "invalid_request"),
    ("POST", "/orders", {"json": ORDER, "headers": {"Idempotency-Key": "no spaces allowed"}}, 422, "invalid_request"),
    ("GET", "/orders", {"params": {"status": "SHIPPED"}}, 422, "invalid_request"),
    ("GET", "/orders.csv", {"params": {"since": "yesterday"}}, 422, "invalid_request"),
    ("POST", "/orders/bulk/approve", {"json": {"order_ids": []}}, 422, "invalid_request"),
    ("GET", "/orders/nope", {}, 404, "order_not_found"),
    ("GET", f"/orders/{UNKNOWN}/status", {}, 404, "order_not_found"),
    ("POST", f"/orders/{UNKNOWN}/approve", {}, 404, "order_not_found"),
    ("GET", "/nowhere", {}, 404, "not_found"),
    ("DELETE", "/orders", {}, 405, "method_not_allowed"),
    ("POST", "/orders", {"content": "x" * (MAX_BODY_BYTES + 1), "headers": {"Content-Type": "application/json"}},
     413, "body_too_large"),
])
async def test_a_refused_request_answers_its_code(client: httpx.AsyncClient, method: str, path: str,
                                                 request_args: dict[str, Any], status: int, expected: str) -> None:
    assert code(await client.request(method, path, **request_args), status) == expected


async def test_a_chunked_body_over_the_limit_is_body_too_large(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(70):
            yield b"x" * 1024

    response = await client.post(f"/orders/{UNKNOWN}/cancel", content=chunks())

    assert code(response, 413) == "body_too_large"


async def test_a_decision_the_state_forbids_is_invalid_transition(client: httpx.AsyncClient) -> None:
    order_id = (await client.post("/orders", json=ORDER)).json()["order_id"]
    assert (await client.post(f"/orders/{order_id}/cancel")).status_code == 200

    response = await client.post(f"/orders/{order_id}/approve")

    assert code(response, 409) == "invalid_transition"
    assert response.json()["status"] == "CANCELLED"


async def test_a_reused_idempotency_key_with_another_body_is_idempotency_conflict(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "codes-1"}
    assert (await client.post("/orders", json=ORDER, headers=key)).status_code == 201

    response = await client.post("/orders", json={**ORDER, "quantity": 2}, headers=key)

    assert code(response, 422) == "idempotency_conflict"


async def test_a_missing_or_wrong_token_is_unauthorized(roles_client: httpx.AsyncClient) -> None:
    missing = await roles_client.get("/orders")
    wrong = await roles_client.post("/orders", json=ORDER, headers={"Authorization": "Bearer a-guess"})

    assert code(missing, 401) == code(wrong, 401) == "unauthorized"


async def test_each_rule_that_forbids_a_decision_has_its_own_code(roles_client: httpx.AsyncClient) -> None:
    by_alice, by_bob = await pending_order(roles_client, ALICE), await pending_order(roles_client, BOB)

    clerk_approves = await roles_client.post(f"/orders/{by_alice}/approve", headers=ALICE)
    other_clerk_cancels = await roles_client.post(f"/orders/{by_alice}/cancel", headers=CAROL)
    creator_approves = await roles_client.post(f"/orders/{by_bob}/approve", headers=BOB)

    assert code(clerk_approves, 403) == "manager_only"
    assert code(other_clerk_cancels, 403) == "own_orders_only"
    assert code(creator_approves, 403) == "four_eyes"
    assert {response.json()["status"] for response in (clerk_approves, other_clerk_cancels, creator_approves)} == {
        "PENDING_APPROVAL"}


async def test_bulk_results_carry_the_code_of_each_single_decision(roles_client: httpx.AsyncClient) -> None:
    by_alice, by_bob = await pending_order(roles_client, ALICE), await pending_order(roles_client, BOB)

    async def bulk_approve(order_ids: list[str], headers: dict[str, str]) -> httpx.Response:
        return await roles_client.post("/orders/bulk/approve", json={"order_ids": order_ids}, headers=headers)

    by_clerk = await bulk_approve([by_alice], ALICE)
    by_manager = await bulk_approve([by_bob, by_alice, "nope", UNKNOWN], BOB)
    again = await bulk_approve([by_alice], BOB)

    def codes(response: httpx.Response) -> list[tuple[str, bool, str | None]]:
        assert response.status_code == 200, response.text
        return [(result["order_id"], result["ok"], result["code"]) for result in response.json()["data"]]

    assert codes(by_clerk) == [(by_alice, False, "manager_only")]
    assert codes(by_manager) == [(by_bob, False, "four_eyes"), (by_alice, True, None),
                                 ("nope", False, "order_not_found"), (UNKNOWN, False, "order_not_found")]
    assert codes(again) == [(by_alice, False, "invalid_transition")]


async def test_temporal_not_answering_is_temporal_unavailable(service: OrderService,
                                                              unreachable_temporal: Client) -> None:
    async with over(service, temporal=unreachable_temporal) as client:
        create = await client.post("/orders", json=ORDER)
        status = await client.get(f"/orders/{UNKNOWN}/status")
        health = await client.get("/healthz")
        bulk = await client.post("/orders/bulk/cancel", json={"order_ids": [UNKNOWN]})

    assert code(create, 503) == code(status, 503) == code(health, 503) == "temporal_unavailable"
    assert bulk.json()["data"][0]["code"] == "temporal_unavailable"


async def test_a_temporal_error_the_service_does_not_translate_is_temporal_unavailable(
        service: OrderService, temporal_address: str) -> None:
    """Temporal answers, but not for this namespace: an RPC error the service passes through as it is."""
    misconfigured = await Client.connect(temporal_address, namespace="no-such-namespace",
                                         data_converter=pydantic_data_converter)
    async with over(service, temporal=misconfigured) as client:
        response = await client.post("/orders", json=ORDER)

    assert code(response, 503) == "temporal_unavailable"


async def test_a_decision_no_worker_takes_is_no_worker(service: OrderService,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``worker`` fixture: nobody polls this test's task queue. Once orders of a bulk decision come back
    ``no_worker``, the rest are answered so without being sent (each batch would wait another 15 s): by the
    service within one request (8 in flight, so the 9th is not sent), and by the remote desk between its
    requests (chunks of 2 here, so after the first nothing is sent). Once a worker runs, a decision that was sent
    is applied (Temporal kept it); the ones not sent were not decided."""
    sent: list[str] = []
    decide = OrderService.decide

    async def noting(self: OrderService, order_id: str, *args: Any, **kwargs: Any) -> OrderStatus:
        sent.append(order_id)
        return await decide(self, order_id, *args, **kwargs)

    monkeypatch.setattr(OrderService, "decide", noting)
    async with over(service) as client:
        ids = [(await client.post("/orders", json=ORDER)).json()["order_id"] for _ in range(13)]
        remote = HttpOrderService("http://localhost:8000", "any")
        remote._http = client  # the desk's client of a server, over the app in this process
        single, bulk, chunked = await asyncio.gather(
            client.post(f"/orders/{ids[0]}/cancel"),
            client.post("/orders/bulk/cancel", json={"order_ids": ids[1:10]}),
            remote.decide_many(ids[10:], Action.CANCEL, concurrency=2))

    assert code(single, 503) == "no_worker"
    assert [outcome["code"] for outcome in bulk.json()["data"]] == ["no_worker"] * 9
    assert [outcome.code for outcome in chunked] == ["no_worker"] * 3
    assert sorted(sent) == sorted(ids[:9] + ids[10:12])
    async with build_worker(service.client, service.settings):  # what REST.md says then: sent ones wait, and apply
        async def settled() -> None:
            statuses = {order_id: await service.status(order_id) for order_id in (ids[0], ids[9], ids[12])}
            assert statuses == {ids[0]: OrderStatus.CANCELLED, ids[9]: OrderStatus.PENDING_APPROVAL,
                                ids[12]: OrderStatus.PENDING_APPROVAL}
        await assert_eventually(settled, timeout=30)


async def test_a_ledger_that_does_not_answer_is_ledger_unavailable(service: OrderService) -> None:
    unreachable = Ledger("postgresql+psycopg://desk:pw@127.0.0.1:9/desk?connect_timeout=2", migrate=False)
    try:
        async with over(service, ledger=unreachable) as client:
            listing = await client.get("/orders")
            export = await client.get("/orders.csv")
    finally:
        unreachable.close()

    assert code(listing, 503) == code(export, 503) == "ledger_unavailable"


async def test_a_bug_is_internal_error_and_any_other_http_error_is_http_error(service: OrderService) -> None:
    app = create_app(service.settings, service)

    @app.get("/boom")
    async def boom() -> None:
        raise ZeroDivisionError("secret internals")

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418, "I'm a teapot")

    async with app_client(app) as client:
        bug, other = await client.get("/boom"), await client.get("/teapot")

    assert code(bug, 500) == "internal_error"
    assert "secret" not in bug.text
    assert code(other, 418) == "http_error"


async def test_the_openapi_document_gives_every_error_body_a_code_from_the_enum(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]

    assert schemas["ErrorCode"]["enum"] == [code.value for code in ErrorCode]
    assert schemas["ErrorBody"]["required"] == ["detail", "code"]
    assert schemas["ErrorBody"]["properties"]["code"]["$ref"] == "#/components/schemas/ErrorCode"
    bulk_code = schemas["BulkOrderResult"]["properties"]["code"]
    assert {"$ref": "#/components/schemas/ErrorCode"} in bulk_code["anyOf"]


def test_docs_rest_md_lists_every_code_with_its_status() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", REST_MD.read_text(encoding="utf-8"), re.MULTILINE)
    codes = {code.value for code in ErrorCode}
    documented = {name: status.strip(" `") for name, status in rows if name in codes}

    assert set(documented) == codes
    for error_code, status in SERVICE_STATUS.items():
        assert documented[error_code] == str(status), error_code
    for status, error_code in HTTP_CODES.items():
        assert documented[error_code] == str(status), error_code
    assert documented[ErrorCode.INTERNAL_ERROR] == "500"
