"""``order-desk serve`` whose embedded Temporal server is SIGKILLed, as a crash or the OOM killer would: ``/healthz``
says 503 at once, the server comes back on its data by itself, and an order created before the crash is decided
after it. A real ``serve`` process over HTTP."""

from __future__ import annotations

import os
import signal

import httpx

from tests.api.serving import Served
from tests.api.test_serve import assert_gone, stop, temporal_children, wait_until_healthy
from tests.api.test_serve_recovery import create_pending
from tests.helpers import assert_eventually


async def test_serve_restarts_its_killed_temporal_server_and_the_order_goes_on(served: Served) -> None:
    async with httpx.AsyncClient(timeout=30.0) as client:
        await wait_until_healthy(served, client)
        order_id = await create_pending(client, served.url)
        [crashed] = temporal_children(served)

        os.kill(crashed, signal.SIGKILL)

        async def unhealthy() -> None:
            response = await client.get(f"{served.url}/healthz")
            assert response.status_code == 503 and response.json()["code"] == "temporal_unavailable"

        await assert_eventually(unhealthy, timeout=5.0, interval=0.05)
        await wait_until_healthy(served, client)
        [restarted] = temporal_children(served)
        approved = await client.post(f"{served.url}/orders/{order_id}/approve", headers={"X-Actor": "bob"})

        async def fulfilled() -> None:
            details = (await client.get(f"{served.url}/orders/{order_id}")).json()
            listed = (await client.get(f"{served.url}/orders", params={"status": "APPROVED"})).json()
            assert [(step["status"], step["actor"]) for step in details["history"]] == [
                ("VALIDATING", "api"), ("PENDING_APPROVAL", "system"), ("APPROVED", "bob")]
            assert [order["order_id"] for order in listed["data"]] == [order_id]

        await assert_eventually(fulfilled, timeout=30.0)

    assert restarted != crashed
    assert approved.json() == {"order_id": order_id, "status": "APPROVED"}
    await assert_gone(await stop(served, signal.SIGTERM))
    output = served.output()
    assert "restarting (the embedded Temporal server exited with code -9)" in output and "is back" in output
    assert "Traceback" not in output
