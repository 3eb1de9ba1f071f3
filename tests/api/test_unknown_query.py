"""A query parameter an endpoint does not take is a 422 naming it: ignored, a typo would choose nothing, and
``GET /orders.csv?stauts=APPROVED`` would export every order. So is one that takes one value, given twice."""

from __future__ import annotations

import httpx
import pytest
from temporalio.worker import Worker

from core.api import create_app
from core.models import Role
from core.service import OrderService
from tests.api.test_orders import pending_order

ORDER = {"item": "Laptop", "quantity": 1}


@pytest.mark.parametrize(("path", "sent"), [
    ("/orders", {"stauts": "APPROVED"}),
    ("/orders.csv", {"stauts": "APPROVED"}),
    ("/orders", {"status": "APPROVED", "limt": "5"}),
    ("/healthz", {"verbose": "1"}),
    ("/me", {"name": "mallory"}),
])
async def test_an_unknown_query_parameter_is_422_naming_it(client: httpx.AsyncClient, path: str,
                                                           sent: dict[str, str]) -> None:
    response = await client.get(path, params=sent)

    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    unknown = next(name for name in sent if name not in ("status",))
    assert (error["location"], error["field"], error["type"]) == ("query", unknown, "unknown_parameter")
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(("path", "query", "repeated"), [
    ("/orders", "currency=USD&currency=VND", ["currency"]),
    ("/orders.csv", "since=2026-12-01&since=2027-01-01", ["since"]),
    ("/orders", "limit=1&q=a&limit=2&q=b", ["limit", "q"]),
])
async def test_a_parameter_of_one_value_given_twice_is_422_naming_it(client: httpx.AsyncClient, path: str,
                                                                     query: str, repeated: list[str]) -> None:
    """Of ``currency=USD&currency=VND`` only the last counted, silently (found by a QA pass)."""
    response = await client.get(f"{path}?{query}")

    assert response.status_code == 422, response.text
    assert [(error["location"], error["field"], error["type"]) for error in response.json()["errors"]] == [
        ("query", name, "repeated_parameter") for name in repeated]


async def test_a_parameter_of_several_values_may_be_repeated(client: httpx.AsyncClient) -> None:
    response = await client.get("/orders?status=APPROVED&status=REJECTED&awaiting_role=manager&awaiting_role=director")

    assert response.status_code == 200, response.text


async def test_the_refusal_says_what_the_endpoint_takes(client: httpx.AsyncClient) -> None:
    listed = await client.get("/orders", params={"stauts": "APPROVED"})
    health = await client.get("/healthz", params={"verbose": "1"})

    assert "status" in listed.json()["errors"][0]["message"] and "limit" in listed.json()["errors"][0]["message"]
    assert health.json()["errors"][0]["message"] == "not a parameter of this endpoint (it takes none)"


async def test_every_parameter_an_endpoint_takes_is_still_taken(client: httpx.AsyncClient) -> None:
    order_id = await pending_order(client)
    listed = await client.get("/orders", params={
        "status": "PENDING_APPROVAL", "q": "lap", "created_by": "api", "since": "2020-01-01", "until": "2100-01-01",
        "awaiting_role": "manager", "needs_review_by": "me", "min_amount": "0", "max_amount": "9", "currency": "VND",
        "limit": "5", "offset": "0"})
    exported = await client.get("/orders.csv", params={"status": "PENDING_APPROVAL", "q": "lap"})
    decided = await client.post(f"/orders/{order_id}/approve")

    assert listed.status_code == 200 and exported.status_code == 200, (listed.text, exported.text)
    assert decided.status_code == 200, decided.text


async def test_a_caller_without_a_token_is_refused_before_the_parameters_are_looked_at(
        service: OrderService, worker: Worker) -> None:
    service.users.add("mona", Role.MANAGER)  # a team server: every /orders endpoint needs a token
    app = create_app(service.settings, service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000") as client:
        anonymous = await client.get("/orders", params={"stauts": "APPROVED"})
        health = await client.get("/healthz", params={"verbose": "1"})  # public: checked for everyone

    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized", anonymous.text
    assert health.status_code == 422 and health.json()["errors"][0]["field"] == "verbose"
