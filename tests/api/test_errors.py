"""The error contract, case by case: 422 names the field, 404 for unknown orders, 409 with the current
status, 413 for big bodies (declared or chunked), and 503 - never a 500 - when Temporal or the worker
does not answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from core.api import create_app
from core.api.limits import MAX_BODY_BYTES
from core.service import OrderService
from core.worker import build_worker
from tests.helpers import assert_eventually, free_port

JSON = {"Content-Type": "application/json"}


def _client(service: OrderService) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(service.settings, service))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:8000")


async def pending_order(client: httpx.AsyncClient) -> str:
    order_id = (await client.post("/orders", json={"item": "Laptop Gaming XYZ", "quantity": 1})).json()["order_id"]

    async def is_pending() -> None:
        assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(is_pending)
    return order_id


def assert_names(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in body["detail"]
    assert field in {error["field"] or error["location"] for error in body["errors"]}


@pytest.mark.parametrize(("body", "field"), [
    ({"quantity": 1}, "item"),
    ({"item": "Laptop"}, "quantity"),
    ({"item": 42, "quantity": 1}, "item"),
    ({"item": "Laptop", "quantity": "1"}, "quantity"),
    ({"item": "Laptop", "quantity": 1.5}, "quantity"),
    ({"item": "Laptop", "quantity": 1.0}, "quantity"),
    ({"item": "Laptop", "quantity": True}, "quantity"),
    ({"item": "Laptop", "quantity": None}, "quantity"),
    ({"item": "Laptop", "quantity": 0}, "quantity"),
    ({"item": "Laptop", "quantity": -3}, "quantity"),
    ({"item": "Laptop", "quantity": 1_000_001}, "quantity"),
    ({"item": "", "quantity": 1}, "item"),
    ({"item": " \t\n ", "quantity": 1}, "item"),
    ({"item": "x" * 201, "quantity": 1}, "item"),
    ({"item": "Laptop", "quantity": 1, "price": 9}, "price"),
    ([{"item": "Laptop", "quantity": 1}], "body"),
    ("Laptop", "body"),
])
async def test_invalid_create_body_is_422_naming_the_field(client: httpx.AsyncClient, body: Any, field: str) -> None:
    assert_names(await client.post("/orders", content=json.dumps(body), headers=JSON), field)


@pytest.mark.parametrize(("content", "headers"), [
    ('{"item": "Laptop", "quantity": 1', JSON),
    ("", JSON),
    ('{"item": "Laptop", "quantity": 1}', {}),
    ('{"item": "Laptop", "quantity": 1}', {"Content-Type": "text/plain"}),
])
async def test_malformed_missing_or_non_json_create_body_is_422(client: httpx.AsyncClient, content: str,
                                                                headers: dict[str, str]) -> None:
    response = await client.post("/orders", content=content, headers=headers)

    assert_names(response, "body")
    if content and "json" not in headers.get("Content-Type", ""):  # curl -d without -H: said what to send
        assert "Content-Type: application/json" in response.json()["detail"]


@pytest.mark.parametrize(("content", "field"), [
    ('{"item": "Laptop", "quantity": ' + "1" * 5001 + "}", "quantity"),
    ('{"item": "Laptop", "quantity": 1, "unit_price": ' + "9" * 5001 + "}", "unit_price"),
    ('{"item": "Laptop", "quantity": 1, "unit_price": 1e99999999999999999999}', "unit_price"),
    ('{"item": "Laptop", "quantity": 1, "unit_price": 1e-99999999999999999999}', "unit_price"),
    ('{"item": 1e99999999999999999999, "quantity": 1}', "item"),  # no text field takes it as its digits
], ids=["5001-digit-quantity", "5001-digit-price", "huge-exponent", "tiny-exponent", "number-as-item"])
async def test_a_number_python_cannot_hold_is_refused_naming_its_field(client: httpx.AsyncClient, content: str,
                                                                      field: str) -> None:
    """Found by a QA pass: valid JSON refused as "invalid JSON" with no field, in Python's words ("use
    sys.set_int_max_str_digits()", "[<class 'decimal.InvalidOperation'>]")."""
    response = await client.post("/orders", content=content, headers=JSON)

    assert_names(response, field)
    assert "sys." not in response.text and "InvalidOperation" not in response.text


async def test_a_form_body_as_curl_d_sends_it_is_told_to_send_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/orders", content="item=Laptop&quantity=1",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert_names(response, "body")
    assert response.json()["detail"] == "body: must be a JSON object, sent with Content-Type: application/json"


@pytest.mark.parametrize(("content", "field"), [
    (json.dumps({"reason": "x" * 501}), "reason"),
    (json.dumps({"reason": 7}), "reason"),
    (json.dumps({"why": "because"}), "why"),
    ('{"reason": ', "body"),
])
async def test_invalid_decision_body_is_422(client: httpx.AsyncClient, content: str, field: str) -> None:
    assert_names(await client.post("/orders/order_0123456789ab/approve", content=content, headers=JSON), field)


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"limit": "many"}, "limit"), ({"status": "DONE"}, "status"),
    ({"offset": -1}, "offset"),
])
async def test_invalid_list_query_is_422(client: httpx.AsyncClient, params: dict[str, Any], field: str) -> None:
    assert_names(await client.get("/orders", params=params), field)


@pytest.mark.parametrize("order_id", ["order_0123456789ab", "order_ffffffffffffffff", "nope", "order_" + "a" * 300,
                                      "order_%00", "order_%F0%9F%99%82", "order_a%2Fb"])
@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("GET", "/status"), ("POST", "/approve"),
                                                ("POST", "/reject"), ("POST", "/cancel")])
async def test_unknown_order_is_404(client: httpx.AsyncClient, order_id: str, method: str, suffix: str) -> None:
    response = await client.request(method, f"/orders/{order_id}{suffix}")

    assert response.status_code == 404, response.text
    assert "not found" in response.json()["detail"].lower()


@pytest.mark.parametrize(("first", "then", "status"), [
    ("cancel", "approve", "CANCELLED"),
    ("cancel", "cancel", "CANCELLED"),
    ("approve", "cancel", "APPROVED"),
    ("approve", "reject", "APPROVED"),
    ("reject", "approve", "REJECTED"),
])
async def test_a_decision_the_state_forbids_is_409_with_the_current_status(
        client: httpx.AsyncClient, first: str, then: str, status: str) -> None:
    order_id = await pending_order(client)
    assert (await client.post(f"/orders/{order_id}/{first}")).status_code == 200

    response = await client.post(f"/orders/{order_id}/{then}", json={"reason": "too late"})

    assert response.status_code == 409
    assert response.json() == {"detail": f"cannot {then} an order that is {status}", "code": "invalid_transition",
                               "status": status}


async def test_approve_while_validating_is_409_and_cancel_works(service: OrderService) -> None:
    """Validation that fails transiently keeps the order VALIDATING for seconds (retries back off 1 s, 2 s)."""
    slow = service.settings.model_copy(update={"simulate_validation_failures": 3})
    async with build_worker(service.client, slow), _client(service) as client:
        order_id = (await client.post("/orders", json={"item": "Laptop", "quantity": 1})).json()["order_id"]

        approve = await client.post(f"/orders/{order_id}/approve")
        cancel = await client.post(f"/orders/{order_id}/cancel")

    assert approve.status_code == 409
    assert approve.json() == {"detail": "cannot approve an order that is VALIDATING", "code": "invalid_transition",
                              "status": "VALIDATING"}
    assert cancel.json() == {"order_id": order_id, "status": "CANCELLED"}


async def test_a_body_over_64_kib_is_413(client: httpx.AsyncClient) -> None:
    huge = json.dumps({"item": "x" * MAX_BODY_BYTES, "quantity": 1})

    response = await client.post("/orders", content=huge, headers=JSON)

    assert response.status_code == 413
    assert "larger than 65536 bytes" in response.json()["detail"]


async def test_a_chunked_body_over_64_kib_without_content_length_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"reason": "'
        for _ in range(70):
            yield b"x" * 1024
        yield b'"}'

    request = client.build_request("POST", "/orders/order_0123456789ab/cancel", content=chunks(), headers=JSON)
    assert "Content-Length" not in request.headers

    response = await client.send(request)

    assert response.status_code == 413


async def test_a_body_of_exactly_64_kib_passes_the_limit(client: httpx.AsyncClient) -> None:
    padding = MAX_BODY_BYTES - len(json.dumps({"item": "", "quantity": 1}))
    body = json.dumps({"item": "x" * padding, "quantity": 1})
    assert len(body) == MAX_BODY_BYTES

    response = await client.post("/orders", content=body, headers=JSON)

    assert_names(response, "item")  # too long an item, but the body was read


@pytest.fixture
async def dead_client(service: OrderService) -> AsyncIterator[httpx.AsyncClient]:
    """A service whose Temporal does not answer: a lazy client on a port nobody listens on."""
    unreachable = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True, data_converter=pydantic_data_converter)
    async with _client(OrderService(unreachable, service.settings)) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/orders", {"item": "Laptop", "quantity": 1}),
    ("GET", "/orders/order_0123456789ab", None),
    ("GET", "/orders/order_0123456789ab/status", None),
    ("POST", "/orders/order_0123456789ab/approve", None),
    ("POST", "/orders/order_0123456789ab/cancel", {"reason": "no"}),
    ("GET", "/healthz", None),
])
async def test_temporal_unreachable_is_503_not_500(dead_client: httpx.AsyncClient, method: str, path: str,
                                                   body: dict[str, Any] | None) -> None:
    response = await dead_client.request(method, path, json=body)

    assert response.status_code == 503, response.text
    assert "Temporal does not answer" in response.json()["detail"]
    assert response.headers["Retry-After"].isdigit()


async def test_a_decision_no_worker_takes_is_503(service: OrderService) -> None:
    """No ``worker`` fixture: nobody polls this test's task queue, so the Update is never taken."""
    async with _client(service) as client:
        order_id = (await client.post("/orders", json={"item": "Laptop", "quantity": 1})).json()["order_id"]

        response = await client.post(f"/orders/{order_id}/cancel")

    assert response.status_code == 503
    assert "no worker took the cancel decision" in response.json()["detail"]
    assert service.settings.task_queue in response.json()["detail"]


async def test_a_namespace_temporal_does_not_know_is_503(service: OrderService, temporal_address: str) -> None:
    misconfigured = await Client.connect(temporal_address, namespace="no-such-namespace",
                                         data_converter=pydantic_data_converter)
    async with _client(OrderService(misconfigured, service.settings)) as client:
        response = await client.post("/orders", json={"item": "Laptop", "quantity": 1})

    assert response.status_code == 503
    assert "no-such-namespace" in response.json()["detail"]


async def test_a_bug_answers_a_plain_500_without_traceback(service: OrderService) -> None:
    app = create_app(service.settings, service)

    @app.get("/boom")
    async def boom() -> None:
        raise ZeroDivisionError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        response = await client.get("/boom")

    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; the server log has the details", "code": "internal_error"}


async def test_unknown_paths_and_methods_answer_json_errors(client: httpx.AsyncClient) -> None:
    missing = await client.get("/nowhere")
    wrong_method = await client.delete("/orders")

    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found", "code": "not_found"})
    assert wrong_method.status_code == 405 and "detail" in wrong_method.json()
