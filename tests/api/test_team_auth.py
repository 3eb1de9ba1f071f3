"""Identity comes from the token, nowhere else, whenever users exist: deny by default, a role decides what a user may
do, a revoked token is refused at once, ``X-Actor`` counts only in the open demo, and ``GET /me`` says who the
caller is and what they may do, in each of the three modes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from temporalio.worker import Worker

from core.api import create_app
from core.models import Role
from core.service import OrderService
from tests.helpers import assert_eventually

ORDER = {"item": "Máy chiếu phòng họp", "quantity": 2}
AN = "Nguyễn Văn An"
EVERYTHING = ["create", "approve", "reject", "cancel_own", "cancel_any"]
ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def make_client(service: OrderService, worker: Worker) -> AsyncIterator[ClientFactory]:
    """Clients of the app over the test's service (and its user store), with the settings changed as asked."""
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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["code"]


async def pending_order(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    created = await client.post("/orders", json=ORDER, headers=headers)
    assert created.status_code == 201, created.text
    order_id = created.json()["order_id"]

    async def is_pending() -> None:
        status = await client.get(f"/orders/{order_id}/status", headers=headers)
        assert status.json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(is_pending)
    return order_id


async def test_me_says_who_calls_and_what_they_may_do_in_each_mode(make_client: ClientFactory,
                                                                    service: OrderService) -> None:
    open_demo = await make_client().get("/me", headers={"X-Actor": "alice"})
    shared = await make_client(api_token=SecretStr("s" * 40)).get(
        "/me", headers={**bearer("s" * 40), "X-Actor": "alice"})
    _, clerk = service.users.add(AN, Role.CLERK)
    _, manager = service.users.add("mona", Role.MANAGER)
    team = make_client()
    as_clerk = await team.get("/me", headers={**bearer(clerk), "X-Actor": "mona"})
    as_manager = await team.get("/me", headers=bearer(manager))

    assert open_demo.json() == {"name": "alice", "role": None, "may": EVERYTHING, "four_eyes": False, "mode": "open",
                                "currency": "VND"}
    assert shared.json() == {"name": "api", "role": None, "may": EVERYTHING, "four_eyes": False,
                             "mode": "shared_token", "currency": "VND"}
    assert as_clerk.json() == {"name": AN, "role": "clerk", "may": ["create", "cancel_own"], "four_eyes": True,
                               "mode": "users", "currency": "VND"}
    assert as_manager.json() == {"name": "mona", "role": "manager", "may": EVERYTHING, "four_eyes": True,
                                 "mode": "users", "currency": "VND"}


async def test_me_says_the_servers_default_currency(make_client: ClientFactory, tmp_path: Path) -> None:
    """A desk prefills its form with what the server prices an order in: its policy's currency, or its own."""
    policy = tmp_path / "usd.toml"
    policy.write_text('currency = "USD"\n[[tiers]]\napprovers = ["manager"]\n')

    by_policy = await make_client(approval_policy=policy).get("/me")
    by_setting = await make_client(currency="JPY").get("/me")

    assert by_policy.json()["currency"] == "USD"
    assert by_setting.json()["currency"] == "JPY"


async def test_the_first_user_added_closes_an_open_server_at_once(make_client: ClientFactory,
                                                                  service: OrderService) -> None:
    client = make_client()
    before = await client.post("/orders", json=ORDER, headers={"X-Actor": "mallory"})

    _, token = service.users.add(AN, Role.CLERK)
    anonymous = await client.post("/orders", json=ORDER, headers={"X-Actor": "mallory"})
    wrong = await client.get("/orders", headers=bearer("odt_" + "x" * 43))
    signed_in = await client.post("/orders", json=ORDER, headers={**bearer(token), "X-Actor": "mallory"})

    assert before.status_code == 201
    assert refused(anonymous, 401) == "unauthorized" and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert refused(wrong, 401) == "unauthorized"
    assert signed_in.status_code == 201
    order_id = signed_in.json()["order_id"]
    details = await client.get(f"/orders/{order_id}", headers=bearer(token))
    assert details.json()["created_by"] == AN  # the token decides; X-Actor is ignored

    async def listed_as_ans() -> None:  # the list is the ledger's, written by the order's first activity
        listed = await client.get("/orders", params={"created_by": AN}, headers=bearer(token))
        assert [order["order_id"] for order in listed.json()["data"]] == [order_id]

    await assert_eventually(listed_as_ans)


async def test_a_role_decides_what_a_user_may_do(make_client: ClientFactory, service: OrderService) -> None:
    _, clerk = service.users.add(AN, Role.CLERK)
    _, other_clerk = service.users.add("carol", Role.CLERK)
    _, manager = service.users.add("mona", Role.MANAGER)
    client = make_client()
    order_id = await pending_order(client, bearer(clerk))

    clerk_approves = await client.post(f"/orders/{order_id}/approve", headers=bearer(clerk))
    other_cancels = await client.post(f"/orders/{order_id}/cancel", headers=bearer(other_clerk))
    manager_approves = await client.post(f"/orders/{order_id}/approve", headers=bearer(manager),
                                         json={"reason": "đã duyệt"})

    assert refused(clerk_approves, 403) == "manager_only"
    assert refused(other_cancels, 403) == "own_orders_only"
    assert manager_approves.json() == {"order_id": order_id, "status": "APPROVED"}
    history = (await client.get(f"/orders/{order_id}", headers=bearer(clerk))).json()["history"]
    assert [(step["status"], step["actor"]) for step in history] == [
        ("VALIDATING", AN), ("PENDING_APPROVAL", "system"), ("APPROVED", "mona")]


async def test_four_eyes_holds_for_users_of_the_store(make_client: ClientFactory, service: OrderService) -> None:
    _, mona = service.users.add("mona", Role.MANAGER)
    _, dana = service.users.add("dana", Role.MANAGER)
    client = make_client()
    order_id = await pending_order(client, bearer(mona))

    assert refused(await client.post(f"/orders/{order_id}/approve", headers=bearer(mona)), 403) == "four_eyes"
    assert (await client.post(f"/orders/{order_id}/approve", headers=bearer(dana))).json()["status"] == "APPROVED"


async def test_a_revoked_token_is_refused_at_once_and_a_rotated_one_too(make_client: ClientFactory,
                                                                        service: OrderService) -> None:
    _, token = service.users.add(AN, Role.MANAGER)
    client = make_client()
    assert (await client.get("/orders", headers=bearer(token))).status_code == 200

    service.users.revoke(AN)
    revoked = await client.get("/orders", headers=bearer(token))
    _, new_token = service.users.rotate(AN)
    rotated_away = await client.get("/orders", headers=bearer(token))
    again = await client.get("/me", headers=bearer(new_token))

    assert refused(revoked, 401) == "token_revoked"
    assert revoked.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert refused(rotated_away, 401) == "unauthorized"
    assert again.json()["name"] == AN


async def test_a_shared_token_stops_working_once_users_exist(make_client: ClientFactory,
                                                             service: OrderService) -> None:
    client = make_client(api_token=SecretStr("s" * 40))
    assert (await client.get("/orders", headers=bearer("s" * 40))).status_code == 200

    service.users.add("mona", Role.MANAGER)

    stopped = await client.get("/orders", headers=bearer("s" * 40))
    assert refused(stopped, 401) == "unauthorized" and "ORDER_DESK_API_TOKEN" in stopped.json()["detail"]
    wrong = await client.get("/orders", headers=bearer("t" * 40))  # anyone else learns nothing of it
    assert refused(wrong, 401) == "unauthorized" and "ORDER_DESK_API_TOKEN" not in wrong.json()["detail"]


async def test_a_team_server_refuses_everyone_before_its_first_user(make_client: ClientFactory) -> None:
    client = make_client(team=True)

    assert refused(await client.get("/me", headers={"X-Actor": "mallory"}), 401) == "unauthorized"
    assert (await client.get("/healthz")).status_code == 200


async def test_a_tokens_file_keeps_working_beside_the_store(make_client: ClientFactory, service: OrderService,
                                                            tmp_path: Any) -> None:
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text('{"clerk-alice-token-0123456789abcdef": {"user": "alice", "role": "clerk"}}')
    _, mona = service.users.add("mona", Role.MANAGER)
    client = make_client(tokens_file=tokens_file)

    alice = await client.get("/me", headers=bearer("clerk-alice-token-0123456789abcdef"))
    from_store = await client.get("/me", headers=bearer(mona))

    assert (alice.json()["name"], alice.json()["role"], alice.json()["mode"]) == ("alice", "clerk", "users")
    assert from_store.json()["name"] == "mona"


async def test_no_token_reaches_the_logs(make_client: ClientFactory, service: OrderService,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, token = service.users.add(AN, Role.CLERK)
    client = make_client()
    guess = "odt_" + "g" * 43

    await client.post("/orders", json=ORDER, headers=bearer(token))
    await client.get("/orders", headers=bearer(guess))
    service.users.revoke(AN)
    await client.get("/orders", headers=bearer(token))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged and token not in logged and guess not in logged
