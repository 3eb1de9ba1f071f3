"""``order-desk serve`` as operators meet it at its worst: SIGKILLed mid-life and started again on the same data
(the orders are all there, the embedded Temporal server of the first run is gone), and its log output, which
never holds a token, whatever a client sends."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import httpx

from tests.api.test_serve import (
    Served,
    assert_gone,
    embedded_env,
    kill,
    launch,
    stop,
    temporal_children,
    wait_until_healthy,
)
from tests.helpers import assert_eventually, free_port

ITEM = "Máy chiếu phòng họp"
SHARED_TOKEN = "shared-" + "5e0f1a2b" * 4
TOKENS = {
    "clerk-" + "a1" * 16: {"user": "alice", "role": "clerk"},
    "manager-" + "b2" * 16: {"user": "bob", "role": "manager"},
}
CLERK, MANAGER = (f"Bearer {token}" for token in TOKENS)


async def create_pending(client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> str:
    created = await client.post(f"{url}/orders", json={"item": ITEM, "quantity": 3}, headers=headers)
    assert created.status_code == 201, created.text
    order_id = created.json()["order_id"]

    async def pending() -> None:
        status = await client.get(f"{url}/orders/{order_id}/status", headers=headers)
        assert status.json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(pending)
    return order_id


async def test_orders_survive_a_sigkilled_serve_and_its_temporal_server_dies_with_it(tmp_path: Path) -> None:
    env, port = embedded_env(tmp_path / "data"), free_port()
    first = launch(tmp_path, env, port, tmp_path / "first.log")
    second: Served | None = None
    try:
        async with httpx.AsyncClient(timeout=15.0) as client:
            await wait_until_healthy(first, client)
            waiting = await create_pending(client, first.url)
            decided = await create_pending(client, first.url)
            assert (await client.post(f"{first.url}/orders/{decided}/reject")).status_code == 200
            temporal = temporal_children(first)
            assert temporal, "the embedded Temporal server should be serve's child"

            first.process.send_signal(signal.SIGKILL)
            await asyncio.to_thread(first.process.wait)
            await assert_gone(temporal, timeout=15.0)  # PR_SET_PDEATHSIG: the kernel stops it for us

        second = launch(tmp_path, env, port, tmp_path / "second.log")
        async with httpx.AsyncClient(timeout=15.0) as client:
            await wait_until_healthy(second, client)
            assert all(pid not in temporal for pid in temporal_children(second))  # a new server, not the old
            before = [(await client.get(f"{second.url}/orders/{order_id}/status")).json()
                      for order_id in (waiting, decided)]
            approved = await client.post(f"{second.url}/orders/{waiting}/approve", headers={"X-Actor": "bob"})
            details = (await client.get(f"{second.url}/orders/{waiting}")).json()
            listed = (await client.get(f"{second.url}/orders", params={"q": "máy chiếu"})).json()

        assert before == [{"status": "PENDING_APPROVAL"}, {"status": "REJECTED"}]
        assert approved.json() == {"order_id": waiting, "status": "APPROVED"}
        assert [(step["status"], step["actor"]) for step in details["history"]] == [
            ("VALIDATING", "api"), ("PENDING_APPROVAL", "system"), ("APPROVED", "bob")]
        assert details["item"] == ITEM
        assert listed["count"] == 2
        await assert_gone(await stop(second, signal.SIGTERM))
        assert "Traceback" not in second.output()
    finally:
        kill(first)
        if second is not None:
            kill(second)


async def test_serve_never_logs_a_token_even_when_refusing_it(tmp_path: Path) -> None:
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(TOKENS))
    env = embedded_env(tmp_path / "data", ORDER_DESK_TOKENS_FILE=str(tokens_file), ORDER_DESK_API_TOKEN=SHARED_TOKEN)
    served = launch(tmp_path, env, free_port(), tmp_path / "serve.log")
    wrong_guess = "guess-" + "c3" * 16
    try:
        async with httpx.AsyncClient(timeout=15.0, base_url=served.url) as client:
            await wait_until_healthy(served, client)
            order_id = await create_pending(client, served.url, {"Authorization": CLERK})
            refused = [
                await client.post(f"/orders/{order_id}/approve", headers={"Authorization": CLERK}),  # a clerk: 403
                await client.get("/orders", headers={"Authorization": f"Bearer {SHARED_TOKEN}"}),  # ignored: 401
                await client.get("/orders", headers={"Authorization": f"Bearer {wrong_guess}"}),
                await client.get("/orders.csv", headers={"Authorization": f"Basic {SHARED_TOKEN}"}),
                await client.post("/orders/bulk/approve", json={"order_ids": [order_id]},
                                  headers={"Authorization": wrong_guess}),
                await client.post("/orders", json={"item": ITEM, "quantity": 0}, headers={"Authorization": MANAGER}),
            ]
            approved = await client.post(f"/orders/{order_id}/approve", headers={"Authorization": MANAGER})
        await stop(served, signal.SIGTERM)
    finally:
        kill(served)

    assert [response.status_code for response in refused] == [403, 401, 401, 401, 401, 422]
    assert approved.status_code == 200
    output = served.output()
    assert f'"POST /orders/{order_id}/approve HTTP/1.1" 403' in output  # the requests were logged ...
    assert '"GET /orders.csv HTTP/1.1" 401' in output and "ORDER_DESK_API_TOKEN is ignored" in output
    for secret in (SHARED_TOKEN, wrong_guess, *TOKENS):  # ... and the tokens were not
        assert secret not in output
