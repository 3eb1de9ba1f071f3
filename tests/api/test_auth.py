"""Who may call and who acts: X-Actor without tokens, one shared bearer token, per-user tokens with roles
(four-eyes and clerk limits enforced by the workflow, answered 403), and tokens kept out of logs."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from temporalio.worker import Worker

from core.api import create_app
from core.api.auth import AuthConfigError
from core.service import OrderService
from core.settings import Settings
from tests.helpers import assert_eventually

SHARED_TOKEN = "shared-7c1e9f0a-token"
TOKENS = {
    "clerk-alice-token": {"user": "alice", "role": "clerk"},
    "clerk-carol-token": {"user": "carol", "role": "clerk"},
    "manager-bob-token": {"user": "bob", "role": "manager"},
    "manager-dana-token": {"user": "dana", "role": "manager"},
}
ORDER = {"item": "Laptop Gaming XYZ", "quantity": 1}
ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def make_client(service: OrderService, worker: Worker) -> AsyncIterator[ClientFactory]:
    """Clients over the test's service, with the settings changed as asked (a token, a tokens file)."""
    clients: list[httpx.AsyncClient] = []

    def make(**changes: Any) -> httpx.AsyncClient:
        settings = service.settings.model_copy(update=changes)
        app = create_app(settings, OrderService(service.client, settings, service.ledger))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps(TOKENS))
    return path


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def pending_order(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    created = await client.post("/orders", json=ORDER, headers=headers)
    assert created.status_code == 201, created.text
    order_id = created.json()["order_id"]

    async def is_pending() -> None:
        status = await client.get(f"/orders/{order_id}/status", headers=headers)
        assert status.json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(is_pending)
    return order_id


async def test_without_tokens_x_actor_names_who_acts_and_defaults_to_api(make_client: ClientFactory) -> None:
    client = make_client()
    by_default = await pending_order(client, {})
    by_alice = await pending_order(client, {"X-Actor": "alice"})

    await client.post(f"/orders/{by_alice}/approve", headers={"X-Actor": "bob"})

    assert (await client.get(f"/orders/{by_default}")).json()["created_by"] == "api"
    details = (await client.get(f"/orders/{by_alice}")).json()
    assert details["created_by"] == "alice"
    assert details["history"][-1]["actor"] == "bob"


@pytest.mark.parametrize("actor", ["", "   ", "x" * 101, "\x1c", "\x00"])
async def test_an_invalid_x_actor_is_422_naming_it(make_client: ClientFactory, actor: str) -> None:
    response = await make_client().post("/orders", json=ORDER, headers={"X-Actor": actor})

    assert response.status_code == 422, response.text
    assert "X-Actor" in response.json()["detail"]


async def test_with_a_shared_token_every_order_endpoint_needs_it(make_client: ClientFactory) -> None:
    client = make_client(api_token=SecretStr(SHARED_TOKEN))

    missing = await client.post("/orders", json=ORDER)
    wrong = await client.get("/orders", headers=bearer("not-the-token"))
    basic = await client.get("/orders", headers={"Authorization": f"Basic {SHARED_TOKEN}"})
    right = await client.post("/orders", json=ORDER, headers={**bearer(SHARED_TOKEN), "X-Actor": "erin"})

    for refused in (missing, wrong, basic):
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert "token" in refused.json()["detail"]
    assert right.status_code == 201
    order_id = right.json()["order_id"]
    assert (await client.get(f"/orders/{order_id}/status")).status_code == 401
    assert (await client.post(f"/orders/{order_id}/cancel")).status_code == 401
    details = await client.get(f"/orders/{order_id}", headers=bearer(SHARED_TOKEN))
    assert details.json()["created_by"] == "api"  # one shared token cannot say who: the actor is fixed, not X-Actor


async def test_health_and_docs_need_no_token_and_the_docs_declare_bearer_auth(make_client: ClientFactory) -> None:
    client = make_client(api_token=SecretStr(SHARED_TOKEN))

    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert spec["paths"]["/orders"]["post"]["security"] == [{"HTTPBearer": []}]
    assert "401" in spec["paths"]["/orders/{order_id}/approve"]["post"]["responses"]
    assert "security" not in spec["paths"]["/healthz"]["get"]


async def test_health_names_stuck_orders_only_to_a_caller_the_server_knows(make_client: ClientFactory,
                                                                          service: OrderService,
                                                                          tokens_file: Path) -> None:
    for _ in range(2):  # two failed ledger writes in a row: stuck
        service.ledger.note_failure("order_0123456789ab", "a refused row")
    shared, team = make_client(api_token=SecretStr(SHARED_TOKEN)), make_client(tokens_file=tokens_file)
    demo = make_client()

    for client, known in ((shared, SHARED_TOKEN), (team, "clerk-alice-token")):
        for unknown in ({}, bearer("not-the-token"), {"Authorization": f"Basic {known}"}):
            anonymous = await client.get("/healthz", headers=unknown)
            assert anonymous.status_code == 200
            assert anonymous.json() == {"status": "degraded", "stuck_count": 1, "stuck_orders": None}
        signed_in = (await client.get("/healthz", headers=bearer(known))).json()
        assert signed_in["stuck_orders"] == ["order_0123456789ab"]
    assert (await demo.get("/healthz")).json()["stuck_orders"] == ["order_0123456789ab"]  # the open demo: open


async def test_with_a_tokens_file_the_token_decides_the_actor(make_client: ClientFactory, tokens_file: Path) -> None:
    client = make_client(tokens_file=tokens_file)

    order_id = await pending_order(client, {**bearer("clerk-alice-token"), "X-Actor": "mallory"})
    approved = await client.post(f"/orders/{order_id}/approve", headers=bearer("manager-bob-token"))

    assert approved.json() == {"order_id": order_id, "status": "APPROVED"}
    details = (await client.get(f"/orders/{order_id}", headers=bearer("clerk-alice-token"))).json()
    assert details["created_by"] == "alice"
    assert details["history"][-1]["actor"] == "bob"
    assert (await client.get("/orders", headers=bearer("unknown"))).status_code == 401


async def test_a_clerk_may_not_approve_or_reject_403_with_the_reason(make_client: ClientFactory,
                                                                     tokens_file: Path) -> None:
    client = make_client(tokens_file=tokens_file)
    order_id = await pending_order(client, bearer("clerk-alice-token"))

    approve = await client.post(f"/orders/{order_id}/approve", headers=bearer("clerk-carol-token"))
    reject = await client.post(f"/orders/{order_id}/reject", headers=bearer("clerk-alice-token"))

    for refused in (approve, reject):
        assert refused.status_code == 403
        assert "clerk" in refused.json()["detail"]
        assert refused.json()["status"] == "PENDING_APPROVAL"


async def test_a_clerk_cancels_only_their_own_orders(make_client: ClientFactory, tokens_file: Path) -> None:
    client = make_client(tokens_file=tokens_file)
    order_id = await pending_order(client, bearer("clerk-alice-token"))

    by_carol = await client.post(f"/orders/{order_id}/cancel", headers=bearer("clerk-carol-token"))
    by_alice = await client.post(f"/orders/{order_id}/cancel", headers=bearer("clerk-alice-token"))

    assert by_carol.status_code == 403
    assert "own orders" in by_carol.json()["detail"]
    assert by_alice.json() == {"order_id": order_id, "status": "CANCELLED"}


async def test_four_eyes_a_manager_may_not_approve_their_own_order(make_client: ClientFactory,
                                                                   tokens_file: Path) -> None:
    client = make_client(tokens_file=tokens_file)
    order_id = await pending_order(client, bearer("manager-bob-token"))

    own = await client.post(f"/orders/{order_id}/approve", headers=bearer("manager-bob-token"))
    other = await client.post(f"/orders/{order_id}/approve", headers=bearer("manager-dana-token"))

    assert own.status_code == 403
    assert "four-eyes" in own.json()["detail"]
    assert other.json()["status"] == "APPROVED"


async def test_tokens_never_reach_the_logs(make_client: ClientFactory, tokens_file: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    shared = make_client(api_token=SecretStr(SHARED_TOKEN))
    per_user = make_client(tokens_file=tokens_file, api_token=SecretStr(SHARED_TOKEN))

    await shared.post("/orders", json=ORDER, headers=bearer(SHARED_TOKEN))
    await shared.get("/orders", headers=bearer("a-wrong-guess-token"))
    await per_user.post("/orders", json=ORDER, headers=bearer("manager-bob-token"))
    await per_user.get("/orders", headers=bearer(SHARED_TOKEN))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ORDER_DESK_API_TOKEN is ignored" in logged  # something was logged, and checked
    for secret in (SHARED_TOKEN, "a-wrong-guess-token", *TOKENS):
        assert secret not in logged


@pytest.mark.parametrize(("content", "complaint"), [
    ('{"s3cret-token": {"user": "alice", "role": "boss"}}', "<token>.role"),
    ('{"s3cret-token": {"user": "", "role": "clerk"}}', "<token>.user"),
    ('["s3cret-token"]', "top level"),
    ('{"s3cret-token": ', "not valid JSON"),
])
def test_an_unusable_tokens_file_fails_at_once_without_echoing_tokens(
        settings: Settings, tmp_path: Path, content: str, complaint: str) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(content)

    with pytest.raises(AuthConfigError) as raised:
        create_app(settings.model_copy(update={"tokens_file": path}), service=None)

    assert complaint in str(raised.value)
    assert "s3cret-token" not in str(raised.value)
