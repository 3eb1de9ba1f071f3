"""The REST contract over a real service and worker: the seed's endpoints and curl demo, the list and
details, health, the docs, and retry-safe (idempotent) creates and decisions."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_eventually

SEED_BODY = '{"item": "Laptop Gaming XYZ", "quantity": 1}'
JSON = {"Content-Type": "application/json"}


async def pending_order(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> str:
    """The seed's demo up to step 4: create, then poll the status until the order waits for a decision."""
    created = await client.post("/orders", content=SEED_BODY, headers={**JSON, **(headers or {})})
    assert created.status_code == 201, created.text
    order_id = created.json()["order_id"]

    async def is_pending() -> None:
        response = await client.get(f"/orders/{order_id}/status")
        assert response.json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(is_pending)
    return order_id


async def test_create_answers_201_with_the_order_id_and_its_status(client: httpx.AsyncClient) -> None:
    response = await client.post("/orders", content=SEED_BODY, headers=JSON)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"order_id", "status"}
    assert body["order_id"].startswith("order_")
    assert body["status"] in ("VALIDATING", "PENDING_APPROVAL")
    assert response.headers["Location"] == f"/orders/{body['order_id']}"


@pytest.mark.parametrize(("action", "outcome"), [("approve", "APPROVED"), ("reject", "REJECTED"),
                                                 ("cancel", "CANCELLED")])
async def test_seed_demo_sequence_end_to_end(client: httpx.AsyncClient, action: str, outcome: str) -> None:
    order_id = await pending_order(client)

    # exactly as the seed's curl sends it: POST, no body, no Content-Type
    decided = await client.post(f"/orders/{order_id}/{action}")

    assert decided.status_code == 200, decided.text
    assert decided.json() == {"order_id": order_id, "status": outcome}
    assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": outcome}


async def test_a_cancel_sent_right_after_create_is_never_lost(client: httpx.AsyncClient) -> None:
    """Cancel is allowed while VALIDATING; sent at once it races the validation activity, which makes
    Temporal abort the Update now and then. The API must still answer with the cancelled order."""
    for _ in range(5):
        order_id = (await client.post("/orders", content=SEED_BODY, headers=JSON)).json()["order_id"]

        response = await client.post(f"/orders/{order_id}/cancel")

        assert response.status_code == 200, response.text
        assert response.json() == {"order_id": order_id, "status": "CANCELLED"}


async def test_a_decision_records_its_actor_and_reason_in_the_history(client: httpx.AsyncClient) -> None:
    order_id = await pending_order(client, {"X-Actor": "alice"})

    decided = await client.post(f"/orders/{order_id}/reject", json={"reason": "  over budget  "},
                                headers={"X-Actor": "bob"})
    details = (await client.get(f"/orders/{order_id}")).json()

    assert decided.json()["status"] == "REJECTED"
    assert details["created_by"] == "alice"
    assert [(step["status"], step["actor"], step["reason"]) for step in details["history"]] == [
        ("VALIDATING", "alice", None), ("PENDING_APPROVAL", "system", None), ("REJECTED", "bob", "over budget")]
    assert (details["item"], details["quantity"], details["status"]) == ("Laptop Gaming XYZ", 1, "REJECTED")


async def test_an_empty_json_body_or_null_reason_is_a_decision_without_reason(client: httpx.AsyncClient) -> None:
    first, second = await pending_order(client), await pending_order(client)

    assert (await client.post(f"/orders/{first}/approve", json={})).json()["status"] == "APPROVED"
    assert (await client.post(f"/orders/{second}/cancel", json={"reason": None})).json()["status"] == "CANCELLED"
    history = (await client.get(f"/orders/{second}")).json()["history"]
    assert history[-1]["reason"] is None


async def test_an_item_of_200_characters_after_trimming_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/orders", json={"item": "  " + "x" * 200 + "  ", "quantity": 1_000_000})

    assert response.status_code == 201, response.text
    details = (await client.get(f"/orders/{response.json()['order_id']}")).json()
    assert (details["item"], details["quantity"]) == ("x" * 200, 1_000_000)


async def test_list_filters_by_status_and_answers_data_and_count(client: httpx.AsyncClient) -> None:
    pending = await pending_order(client)
    approved = await pending_order(client)
    await client.post(f"/orders/{approved}/approve")

    async def listed() -> None:
        # Each test has its own ledger (its own data dir): these two are all the orders there are.
        waiting = (await client.get("/orders", params={"status": "PENDING_APPROVAL"})).json()
        everything = (await client.get("/orders")).json()
        assert [order["order_id"] for order in waiting["data"]] == [pending] and waiting["count"] == 1
        assert [(order["order_id"], order["status"]) for order in everything["data"]] == [
            (approved, "APPROVED"), (pending, "PENDING_APPROVAL")]  # newest first
        assert everything["count"] == 2

    await assert_eventually(listed)
    first_page = (await client.get("/orders", params={"limit": 1})).json()
    second_page = (await client.get("/orders", params={"limit": 1, "offset": 1})).json()
    assert (len(first_page["data"]), first_page["count"]) == (1, 2)  # count: every match, not the page
    assert [first_page["data"][0]["order_id"], second_page["data"][0]["order_id"]] == [approved, pending]


async def test_healthz_is_200_when_temporal_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "stuck_count": 0, "stuck_orders": []}


async def test_swagger_and_openapi_document_every_endpoint_and_its_errors(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    spec = (await client.get("/openapi.json")).json()

    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    operations = {(path, method): operation for path, methods in spec["paths"].items()
                  for method, operation in methods.items()}
    documented = {key: set(operation["responses"]) for key, operation in operations.items()}
    # Every route but /healthz may answer 401, even on a server started open: adding its first user closes it.
    assert documented == {
        ("/healthz", "get"): {"200", "503"},
        ("/readyz", "get"): {"200", "503"},
        ("/orders", "post"): {"201", "401", "413", "422", "503"},
        ("/orders", "get"): {"200", "401", "422", "503"},
        ("/orders.csv", "get"): {"200", "401", "422", "503"},
        ("/orders/bulk/{action}", "post"): {"200", "401", "413", "422", "503"},
        ("/orders/{order_id}", "get"): {"200", "401", "404", "422", "503"},
        ("/orders/{order_id}/status", "get"): {"200", "401", "404", "422", "503"},
        **{(f"/orders/{{order_id}}/{action}", "post"): {"200", "401", "403", "404", "409", "413", "422", "503"}
           for action in ("approve", "reject", "cancel")},
        ("/me", "get"): {"200", "401", "422", "503"},
        ("/events", "get"): {"200", "401", "422", "503"},
    }
    created = operations[("/orders", "post")]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/OrderCreated"}
    conflict = operations[("/orders/{order_id}/cancel", "post")]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    export = operations[("/orders.csv", "get")]["responses"]
    assert list(export["200"]["content"]) == ["text/csv"] and list(export["422"]["content"]) == ["application/json"]
    bulk = operations[("/orders/bulk/{action}", "post")]
    assert bulk["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BulkDecided"}
    assert spec["components"]["schemas"]["Action"]["enum"] == ["approve", "reject", "cancel"]
    since = next(parameter for parameter in operations[("/orders", "get")]["parameters"]
                 if parameter["name"] == "since")
    assert "taken as UTC" in since["description"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"  # optional in the open demo


async def test_same_idempotency_key_and_body_create_one_order(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "create-7f3a"}

    first = await client.post("/orders", json={"item": "Desk", "quantity": 2}, headers=key)
    retried = await client.post("/orders", json={"item": "Desk", "quantity": 2}, headers=key)
    other_caller = await client.post("/orders", json={"item": "Desk", "quantity": 2},
                                     headers={**key, "X-Actor": "someone-else"})

    assert first.status_code == retried.status_code == 201
    assert retried.json()["order_id"] == first.json()["order_id"]
    assert other_caller.json()["order_id"] != first.json()["order_id"]


async def test_same_idempotency_key_with_another_body_is_422(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "create-91bc"}
    await client.post("/orders", json={"item": "Desk", "quantity": 2}, headers=key)

    response = await client.post("/orders", json={"item": "Desk", "quantity": 3}, headers=key)

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]


async def test_a_retried_decision_with_its_key_is_the_same_decision(client: httpx.AsyncClient) -> None:
    keyed, unkeyed = await pending_order(client), await pending_order(client)
    key = {"Idempotency-Key": "approve-0001"}

    first = await client.post(f"/orders/{keyed}/approve", headers=key)
    retried = await client.post(f"/orders/{keyed}/approve", headers=key)
    await client.post(f"/orders/{unkeyed}/approve")
    second_unkeyed = await client.post(f"/orders/{unkeyed}/approve")

    assert first.status_code == retried.status_code == 200
    assert retried.json() == {"order_id": keyed, "status": "APPROVED"}
    assert second_unkeyed.status_code == 409  # without a key, a second approval is a second request
    history = (await client.get(f"/orders/{keyed}")).json()["history"]
    assert [step["status"] for step in history].count("APPROVED") == 1


async def test_the_same_key_with_another_reason_is_a_conflict_not_the_first_answer(
        client: httpx.AsyncClient) -> None:
    """Temporal answers a repeated Update ID with the first outcome whatever it carries: the reason is part of the ID,
    so a changed reason is not silently answered 200 and left unrecorded."""
    with_reason, without = await pending_order(client), await pending_order(client)
    key = {"Idempotency-Key": "approve-0002"}

    first = await client.post(f"/orders/{with_reason}/approve", headers=key, json={"reason": "budget approved"})
    retried = await client.post(f"/orders/{with_reason}/approve", headers=key, json={"reason": "budget approved"})
    changed = await client.post(f"/orders/{with_reason}/approve", headers=key, json={"reason": "on second thoughts"})
    await client.post(f"/orders/{without}/approve", headers=key)
    added = await client.post(f"/orders/{without}/approve", headers=key, json={"reason": "forgot to say why"})

    assert first.status_code == retried.status_code == 200
    assert changed.status_code == added.status_code == 422
    assert changed.json()["code"] == added.json()["code"] == "idempotency_conflict"
    history = (await client.get(f"/orders/{with_reason}")).json()["history"]
    assert [step["reason"] for step in history if step["status"] == "APPROVED"] == ["budget approved"]


async def test_the_same_key_for_another_action_is_not_a_retry(client: httpx.AsyncClient) -> None:
    order_id = await pending_order(client)
    key = {"Idempotency-Key": "decision-42"}

    await client.post(f"/orders/{order_id}/approve", headers=key)
    response = await client.post(f"/orders/{order_id}/cancel", headers=key)

    assert response.status_code == 409
    assert response.json()["status"] == "APPROVED"


async def test_a_reason_with_a_direction_override_is_422_naming_it(client: httpx.AsyncClient) -> None:
    order_id = await pending_order(client)
    refused = await client.post(f"/orders/{order_id}/reject", json={"reason": "ok \u202eevil"})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["reason"]
    assert "U+202E" in refused.json()["detail"]
    assert (await client.get(f"/orders/{order_id}/status")).json()["status"] == "PENDING_APPROVAL"
