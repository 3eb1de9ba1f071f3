"""The real ``order-desk serve`` and ``order-desk worker`` as an operator meets them: JSON log lines with request and
order IDs and never a token or an order's contents, ``/readyz`` naming what is down while Temporal restarts, and
a worker's metrics on its own port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import httpx

from tests.api.serving import ORDER_DESK, embedded_env, kill, launch
from tests.api.test_serve import stop, temporal_children, wait_until_healthy
from tests.helpers import assert_eventually, free_port

TOKEN = "odt-shared-secret-never-logged-5b1e"
ITEM = "Máy chiếu bí mật 7f3c"  # an order's contents: never in the log
REASON = "lý do riêng tư 91ad"
SEARCHED = "người được tìm 2c4e"  # whom someone looked for: never in the log


def json_lines(output: str) -> list[dict[str, object]]:
    """Every line parsed: each one is a JSON object, uvicorn's start-up lines included."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]


async def test_json_logs_carry_request_and_order_ids_and_never_a_token_or_contents(tmp_path: Path) -> None:
    env = embedded_env(tmp_path / "data", ORDER_DESK_LOG_FORMAT="json", ORDER_DESK_API_TOKEN=TOKEN)
    served = launch(tmp_path, env, free_port(), tmp_path / "serve.log")
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=30.0) as client:
            await wait_until_healthy(served, client)
            created = await client.post("/orders", json={"item": ITEM, "quantity": 3},
                                        headers={**bearer, "X-Request-ID": "req-create-1"})
            order_id = created.json()["order_id"]

            async def pending() -> None:
                status = await client.get(f"/orders/{order_id}/status", headers=bearer)
                assert status.json()["status"] == "PENDING_APPROVAL"

            await assert_eventually(pending)
            approved = await client.post(f"/orders/{order_id}/approve", json={"reason": REASON}, headers=bearer)
            refused = await client.get("/orders", headers={"Authorization": "Bearer wrong-" + TOKEN})
            searched = await client.get("/orders", params={"q": ITEM, "created_by": SEARCHED}, headers=bearer)
            bad_id = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
        await stop(served, signal.SIGTERM)
    finally:
        kill(served)

    assert created.headers["X-Request-ID"] == "req-create-1"
    made_up = approved.headers["X-Request-ID"]
    assert len(made_up) == 32 and made_up != bad_id.headers["X-Request-ID"] != "bad id with spaces"
    assert refused.status_code == 401 and searched.status_code == 200
    output = served.output()
    assert TOKEN not in output and ITEM not in output and REASON not in output and SEARCHED not in output
    assert "q=" not in output  # a search's words and names stay out of the access line
    lines = json_lines(output)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    [create] = [line for line in access if line.get("request_id") == "req-create-1"]
    assert create["order_id"] == order_id and '"POST /orders HTTP/1.1" 201' in str(create["message"])
    [approve] = [line for line in access if line.get("request_id") == made_up]
    assert approve["order_id"] == order_id and "/approve" in str(approve["message"])
    activity = [line for line in lines if line["logger"] == "temporalio.activity" and line.get("order_id") == order_id]
    assert {line["activity_type"] for line in activity} >= {"validate_order", "notify_manager"}
    assert all(line["workflow_id"] == order_id for line in activity)


async def test_text_logs_keep_a_searchs_words_and_names_out_of_the_access_line(tmp_path: Path) -> None:
    """The default format too (it kept the query string while the JSON one dropped it)."""
    served = launch(tmp_path, embedded_env(tmp_path / "data"), free_port(), tmp_path / "serve.log")
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=30.0) as client:
            await wait_until_healthy(served, client)
            searched = await client.get("/orders", params={"q": ITEM, "created_by": SEARCHED})
        await stop(served, signal.SIGTERM)
    finally:
        kill(served)

    output = served.output()
    assert searched.status_code == 200 and '"GET /orders HTTP/1.1" 200' in output
    assert "q=" not in output and "created_by" not in output and SEARCHED not in output


async def test_readyz_names_temporal_and_the_worker_while_temporal_restarts(tmp_path: Path) -> None:
    served = launch(tmp_path, embedded_env(tmp_path / "data"), free_port(), tmp_path / "serve.log")
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=30.0) as client:
            await wait_until_healthy(served, client)
            ready = await client.get("/readyz")
            [temporal] = temporal_children(served)
            os.kill(temporal, signal.SIGKILL)

            async def not_ready() -> httpx.Response:
                answer = await client.get("/readyz")
                assert answer.status_code == 503 and "worker" in answer.json()["not_ready"]
                return answer

            down = await assert_eventually(not_ready, timeout=10.0, interval=0.05)

            async def ready_again() -> None:
                assert (await client.get("/readyz")).status_code == 200

            await assert_eventually(ready_again, timeout=60.0)
            alive = await client.get("/healthz")
        await stop(served, signal.SIGTERM)
    finally:
        kill(served)

    assert ready.json() == {"ready": True, "checks": {"temporal": "up", "ledger": "up", "worker": "up"},
                            "not_ready": []}
    assert down.json()["checks"]["worker"] == "stopped"
    assert alive.status_code == 200


async def test_a_worker_serves_its_metrics_on_its_own_port(tmp_path: Path, temporal_address: str) -> None:
    port = free_port()
    env = embedded_env(tmp_path / "data", ORDER_DESK_TEMPORAL_ADDRESS=temporal_address,
                       ORDER_DESK_TASK_QUEUE=f"ops-{port}", ORDER_DESK_METRICS_PORT=str(port))
    with open(tmp_path / "worker.log", "wb") as log:
        worker = subprocess.Popen([str(ORDER_DESK), "worker"], cwd=tmp_path, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:

            async def scraped() -> str:
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()
                try:
                    response = await client.get(f"http://127.0.0.1:{port}/metrics")
                except httpx.TransportError as err:
                    raise AssertionError(f"not listening yet: {err}") from err
                assert "temporal_worker_task_slots_available{" in response.text
                return response.text

            text = await assert_eventually(scraped, timeout=60.0, interval=0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(30)
    assert "order_desk_ledger_write_failures_total 0.0" in text
    assert f'task_queue="ops-{port}"' in text
    assert "order_desk_orders{" not in text  # serve reports the ledger's counts, once
    assert code == 0, (tmp_path / "worker.log").read_text()
