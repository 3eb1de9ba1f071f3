"""Prices and approval steps over HTTP: a price as a string or an exact JSON number (never a float), the order's
amount, awaited role and steps in every answer, the filters of a reviewer's queue (`needs_review_by=me`,
`awaiting_role`, amounts), each refusal of a signature as 403 with its code, and the CSV's new columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from temporalio.worker import Worker

from core.api import create_app
from core.models import Role
from core.service import OrderService
from tests.api.team_helpers import live_server, open_events
from tests.helpers import assert_eventually
from tests.test_approval_steps import with_policy

MEDIUM = {"item": "Máy chiếu", "quantity": 1, "unit_price": "12000000"}  # a manager signs
LARGE = {"item": "Máy chủ", "quantity": 2, "unit_price": "40000000", "currency": "VND"}  # a manager, then a director


@pytest.fixture
async def desk(service: OrderService, worker: Worker, tmp_path: Path) -> OrderService:
    return with_policy(service, tmp_path / "policy.toml", roles={})


@pytest.fixture
async def client(desk: OrderService) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(desk.settings, desk))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        yield client


@pytest.fixture
def tokens(desk: OrderService) -> dict[str, dict[str, str]]:
    """A team: the users' bearer headers, by name."""
    made = {name: desk.users.add(name, role)[1] for name, role in (
        ("alice", Role.CLERK), ("mona", Role.MANAGER), ("max", Role.MANAGER), ("dan", Role.DIRECTOR),
        ("dora", Role.DIRECTOR))}
    return {name: {"Authorization": f"Bearer {token}"} for name, token in made.items()}


async def pending(client: httpx.AsyncClient, body: dict, headers: dict[str, str] | None = None) -> str:
    created = await client.post("/orders", json=body, headers=headers)
    assert created.status_code == 201, created.text
    order_id = created.json()["order_id"]

    async def is_pending() -> None:
        order = (await client.get(f"/orders/{order_id}", headers=headers)).json()
        assert order["status"] == "PENDING_APPROVAL" and order["awaiting_role"] is not None
    await assert_eventually(is_pending)
    return order_id


async def test_a_priced_order_answers_its_amount_awaited_role_and_steps(client: httpx.AsyncClient) -> None:
    order_id = await pending(client, LARGE)

    order = (await client.get(f"/orders/{order_id}")).json()
    assert (order["unit_price"], order["currency"], order["amount"]) == ("40000000", "VND", "80000000")
    assert order["awaiting_role"] == "manager"
    assert order["steps"] == [{"role": "manager", "signature": None}, {"role": "director", "signature": None}]
    assert order["approval_reason"] == "amount VND 80,000,000 is above VND 50,000,000"

    signed = await client.post(f"/orders/{order_id}/approve", json={"reason": "within budget"},
                               headers={"X-Actor": "mona"})
    assert signed.json() == {"order_id": order_id, "status": "PENDING_APPROVAL", "awaiting_role": "director"}
    order = (await client.get(f"/orders/{order_id}")).json()
    assert order["steps"][0]["signature"]["actor"] == "mona"
    assert order["steps"][0]["signature"]["comment"] == "within budget"
    assert order["steps"][0]["signature"]["role"] is None  # the open demo: nobody has a role
    done = await client.post(f"/orders/{order_id}/approve", headers={"X-Actor": "dan"})
    assert done.json() == {"order_id": order_id, "status": "APPROVED"}


async def test_a_keyed_signature_retried_with_another_reason_signs_nothing_more(client: httpx.AsyncClient) -> None:
    """Open demo, no four-eyes: a second signature by the same person is allowed, so the key alone must keep a retry
    from signing the director's step too (a review caught an Update ID that included the reason doing so)."""
    order_id = await pending(client, LARGE)
    key = {"X-Actor": "mona", "Idempotency-Key": "sign-1"}
    signed = await client.post(f"/orders/{order_id}/approve", json={"reason": "within budget"}, headers=key)
    changed = await client.post(f"/orders/{order_id}/approve", json={"reason": "within budget."}, headers=key)

    assert signed.json()["status"] == "PENDING_APPROVAL"
    assert (changed.status_code, changed.json()["code"]) == (422, "idempotency_conflict")
    order = (await client.get(f"/orders/{order_id}")).json()
    assert (order["status"], order["awaiting_role"]) == ("PENDING_APPROVAL", "director")
    assert [step["signature"] and step["signature"]["comment"] for step in order["steps"]] == ["within budget", None]


@pytest.mark.parametrize(("raw_price", "currency", "exact"), [
    ('"12.50"', "USD", "12.5"), ("12.5", "USD", "12.5"), ("2500000", "VND", "2500000"),
    ("1.25e6", "VND", "1250000"),
    ("12345678901234.5678", "CLF", "12345678901234.5678"),  # a binary float would keep 17 digits of it at most
])
async def test_a_price_is_read_exactly_from_a_string_or_a_json_number(
        client: httpx.AsyncClient, raw_price: str, currency: str, exact: str) -> None:
    body = f'{{"item": "Bút", "quantity": 1, "unit_price": {raw_price}, "currency": "{currency}"}}'
    created = await client.post("/orders", content=body, headers={"Content-Type": "application/json"})
    assert created.status_code == 201, created.text
    order = (await client.get(f"/orders/{created.json()['order_id']}")).json()
    assert (order["unit_price"], order["amount"], order["currency"]) == (exact, exact, currency)


@pytest.mark.parametrize(("body", "field", "says"), [
    ('{"item": "Bút", "quantity": 1, "unit_price": "12.5"}', "unit_price", "more decimals than VND allows"),
    ('{"item": "Bút", "quantity": 1, "unit_price": 12.345, "currency": "USD"}', "unit_price", "more decimals"),
    ('{"item": "Bút", "quantity": 1, "unit_price": "-1"}', "unit_price", "not a plain decimal"),
    ('{"item": "Bút", "quantity": 1, "unit_price": 1e400}', "unit_price", "below"),
    ('{"item": "Bút", "quantity": 1, "unit_price": NaN}', "unit_price", "never a binary float"),
    ('{"item": "Bút", "quantity": 1, "unit_price": true}', "unit_price", "never a binary float"),
    ('{"item": "Bút", "quantity": 1, "unit_price": "5", "currency": "XYZ"}', "currency", "not an ISO 4217"),
    ('{"item": "Bút", "quantity": 1, "currency": "VND"}', "unit_price", "send it with a unit_price"),
    ('{"item": "Bút", "quantity": 1000000, "unit_price": "99999999999999"}', "unit_price", "must be below"),
    ('{"item": "Bút", "quantity": 1.0}', "quantity", "integer"),
])
async def test_a_price_that_is_not_exact_or_not_allowed_is_422(
        client: httpx.AsyncClient, body: str, field: str, says: str) -> None:
    refused = await client.post("/orders", content=body, headers={"Content-Type": "application/json"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "invalid_request"
    [error] = refused.json()["errors"]
    assert error["field"] == field and says in error["message"], error


async def test_each_refused_signature_is_403_with_its_code(
        client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]) -> None:
    order_id = await pending(client, LARGE, tokens["alice"])

    async def refused(name: str, action: str = "approve") -> str:
        answer = await client.post(f"/orders/{order_id}/{action}", headers=tokens[name])
        assert answer.status_code == 403, answer.text
        assert answer.json()["status"] == "PENDING_APPROVAL"
        return answer.json()["code"]

    assert await refused("alice") == "manager_only"
    assert (await client.post(f"/orders/{order_id}/approve", headers=tokens["dan"])).status_code == 200
    assert await refused("dan") == "already_signed"  # a director signed the manager's step: not the director's too
    assert await refused("max") == "wrong_step_role"  # the role is checked before four-eyes
    assert await refused("max", "reject") == "wrong_step_role"
    own = await pending(client, MEDIUM, tokens["mona"])
    assert (await client.post(f"/orders/{own}/approve", headers=tokens["mona"])).json()["code"] == "four_eyes"
    assert (await client.post(f"/orders/{order_id}/approve", headers=tokens["dora"])).json()["status"] == "APPROVED"


async def test_a_reviewers_queue_and_the_amount_filters(
        client: httpx.AsyncClient, tokens: dict[str, dict[str, str]]) -> None:
    medium = await pending(client, MEDIUM, tokens["alice"])
    large = await pending(client, LARGE, tokens["alice"])
    own = await pending(client, MEDIUM, tokens["mona"])

    async def ids(query: str, name: str) -> set[str]:
        answer = await client.get(f"/orders?{query}", headers=tokens[name])
        assert answer.status_code == 200, answer.text
        return {order["order_id"] for order in answer.json()["data"]}

    async def queues() -> None:
        assert await ids("needs_review_by=me", "mona") == {medium, large}  # not her own
        assert await ids("needs_review_by=me", "dan") == {medium, large, own}  # a director signs manager steps
        assert await ids("needs_review_by=me", "alice") == set()
        assert await ids("awaiting_role=director", "mona") == set()
        assert await ids("min_amount=50000000", "alice") == {large}
        assert await ids("max_amount=12000000&currency=vnd", "alice") == {medium, own}
    await assert_eventually(queues)

    await client.post(f"/orders/{large}/approve", headers=tokens["max"])

    async def signed() -> None:
        assert await ids("needs_review_by=me", "max") == {medium, own}  # he signed large already
        assert await ids("needs_review_by=me", "mona") == {medium}
        assert await ids("awaiting_role=director", "alice") == {large}
        assert await ids("needs_review_by=me&awaiting_role=director", "dan") == {large}
    await assert_eventually(signed)

    for query, field in (("min_amount=1.00001", "min_amount"), ("needs_review_by=bob", "needs_review_by"),
                         ("min_amount=5&max_amount=4", "max_amount"), ("awaiting_role=boss", "awaiting_role"),
                         ("currency=ABC", "currency")):
        answer = await client.get(f"/orders?{query}", headers=tokens["alice"])
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field, answer.text


async def test_the_csv_carries_prices_the_awaited_role_and_the_signatures(
        client: httpx.AsyncClient, desk: OrderService) -> None:
    order_id = await pending(client, LARGE)
    await client.post(f"/orders/{order_id}/approve", headers={"X-Actor": "mona"})
    await client.post(f"/orders/{order_id}/approve", headers={"X-Actor": "dan"})
    seed = await client.post("/orders", json={"item": "Laptop Gaming XYZ", "quantity": 1})

    async def exported() -> None:
        text = (await client.get("/orders.csv")).content.decode("utf-8-sig")
        rows = {row["order_id"]: row for row in csv.DictReader(io.StringIO(text))}
        row = rows[order_id]
        assert (row["unit_price"], row["currency"], row["amount"], row["status"]) == (
            "40000000", "VND", "80000000", "APPROVED")
        assert row["signatures"] == "manager: mona; director: dan" and row["awaiting_role"] == ""
        assert seed.json()["order_id"] in rows  # its first activity writes it: not there at once
        unpriced = rows[seed.json()["order_id"]]
        assert (unpriced["unit_price"], unpriced["amount"], unpriced["currency"]) == ("", "", "")
    await assert_eventually(exported)


async def test_live_desks_see_the_amount_and_the_awaited_role(desk: OrderService) -> None:
    app = create_app(desk.settings, desk)
    async with live_server(app) as url, httpx.AsyncClient(timeout=10) as http, open_events(http, url) as events:
        assert (await events.next()).event == "ready"
        created = await http.post(f"{url}/orders", json=LARGE)
        order_id = created.json()["order_id"]
        changes = await events.changes(2)
        assert [(c.kind, c.order.awaiting_role) for c in changes] == [("created", None),
                                                                      ("transition", Role.MANAGER)]
        await http.post(f"{url}/orders/{order_id}/approve", headers={"X-Actor": "mona"})
        [signature] = await events.changes(1)
        assert (signature.kind, signature.actor, signature.order.awaiting_role) == (
            "signature", "mona", Role.DIRECTOR)
        assert str(signature.order.amount) == "80000000"


async def test_the_openapi_document_describes_prices_and_the_new_filters(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    parameters = {p["name"] for p in spec["paths"]["/orders"]["get"]["parameters"]}
    assert {"needs_review_by", "awaiting_role", "min_amount", "max_amount", "currency"} <= parameters
    body = spec["components"]["schemas"]["CreateOrderBody"]["properties"]
    assert {"unit_price", "currency"} <= set(body)
    assert {"amount", "awaiting_role"} <= set(spec["components"]["schemas"]["OrderSummary"]["properties"])
    assert {"wrong_step_role", "already_signed"} <= set(spec["components"]["schemas"]["ErrorCode"]["enum"])
