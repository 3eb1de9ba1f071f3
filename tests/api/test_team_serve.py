"""``order-desk serve`` for a team, as a subprocess on the session's Temporal server and a real ledger (SQLite and
PostgreSQL): users made with the CLI, roles applied, a revoked token refused, and an SSE client that reconnects with
``Last-Event-ID`` across a restart of ``serve`` missing no change, even those written while it was down. Then HTTPS
with a certificate made here, and the configurations ``serve`` refuses in one line."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from core.ledger import Ledger
from core.models import Actor, OrderRequest, OrderStatus, Role
from core.serve import bind_refusal, serve, tls_refusal
from core.service import OrderService
from core.settings import Settings
from core.users import Users
from core.worker import build_worker
from tests.api.serving import ORDER_DESK, Served, clean_env, kill
from tests.api.team_helpers import events_of
from tests.api.test_serve import stop, wait_until_healthy
from tests.certificates import self_signed
from tests.helpers import assert_eventually, free_port

AN = "Nguyễn Văn An"
ORDER = {"item": "Máy in màu", "quantity": 1}


def team_env(settings: Settings, **extra: str) -> dict[str, str]:
    return clean_env(ORDER_DESK_TEMPORAL_ADDRESS=settings.temporal_address, ORDER_DESK_TASK_QUEUE=settings.task_queue,
                     ORDER_DESK_DATABASE_URL=settings.ledger_url, ORDER_DESK_DATA_DIR=str(settings.data_dir), **extra)


def users_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(ORDER_DESK), "users", *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def launch(env: dict[str, str], port: int, log: Path, *args: str) -> Served:
    with open(log, "ab") as out:
        process = subprocess.Popen([str(ORDER_DESK), "serve", "--port", str(port), "--no-worker", *args],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    return Served(process, f"http://localhost:{port}", log)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def follow(url: str, token: str, received: list[int], connections: list[str | None]) -> None:
    """An SSE client as EventSource is one: read order events; when the stream drops, reconnect with the last id."""
    last: str | None = None
    async with httpx.AsyncClient(timeout=httpx.Timeout(15.0, read=None)) as client:
        while True:
            headers = bearer(token) | ({"Last-Event-ID": last} if last is not None else {})
            with contextlib.suppress(httpx.TransportError):
                async with client.stream("GET", f"{url}/events", headers=headers) as response:
                    if response.status_code == 200:
                        connections.append(last)
                        async for event in events_of(response):
                            if event.event == "order":
                                received.append(int(event.id))
                            if event.id is not None:
                                last = event.id
            await asyncio.sleep(0.2)  # EventSource's reconnection delay (the stream's `retry`), shortened


@contextlib.asynccontextmanager
async def following(url: str, token: str) -> AsyncIterator[tuple[list[int], list[str | None]]]:
    received: list[int] = []
    connections: list[str | None] = []
    task = asyncio.create_task(follow(url, token, received, connections))
    try:
        yield received, connections
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_team_server_applies_roles_refuses_revoked_tokens_and_its_stream_survives_a_restart(
        settings: Settings, ledger_url: str, tmp_path: Path) -> None:
    settings = settings.model_copy(update={"database_url": ledger_url, "approval_reminder": None})
    env = team_env(settings)
    clerk, manager = users_cli(env, "add", AN, "--role", "clerk"), users_cli(env, "add", "mona", "--role", "manager")
    port, logs = free_port(), [tmp_path / "first.log", tmp_path / "second.log"]
    service = await OrderService.connect(settings, settings.temporal_address)
    ledger = service.ledger
    first = launch(env, port, logs[0])
    second: Served | None = None
    try:
        async with build_worker(service.client, settings), httpx.AsyncClient(timeout=15.0) as client:
            await wait_until_healthy(first, client)
            async with following(first.url, manager) as (received, connections):
                created = await client.post(f"{first.url}/orders", json=ORDER, headers=bearer(clerk))
                order_id = created.json()["order_id"]

                async def pending() -> None:
                    status = await client.get(f"{first.url}/orders/{order_id}/status", headers=bearer(clerk))
                    assert status.json() == {"status": "PENDING_APPROVAL"}

                await assert_eventually(pending)
                by_clerk = await client.post(f"{first.url}/orders/{order_id}/approve", headers=bearer(clerk))
                by_manager = await client.post(f"{first.url}/orders/{order_id}/approve", headers=bearer(manager))
                users_cli(env, "revoke", AN)
                revoked = await client.get(f"{first.url}/orders", headers=bearer(clerk))
                await stop(first, signal.SIGTERM)

                # serve is down; a worker goes on writing the ledger (an order decided through another serve, say)
                while_down = await service.create_order(OrderRequest(item="Ghế", quantity=4),
                                                        Actor(name="mona", role=Role.MANAGER))

                async def written_while_down() -> None:
                    assert await service.status(while_down) == OrderStatus.PENDING_APPROVAL
                    assert [c.order_id for c in ledger.changes(0, 1000)].count(while_down) == 2

                await assert_eventually(written_while_down)
                second = launch(env, port, logs[1])
                await wait_until_healthy(second, client)
                after = await client.post(f"{second.url}/orders/{while_down}/cancel", headers=bearer(manager))

                async def everything_received() -> None:
                    assert received == [change.seq for change in ledger.changes(0, 1000)]
                    assert ledger.changes(0, 1000)[-1].status == OrderStatus.CANCELLED

                await assert_eventually(everything_received)
            await stop(second, signal.SIGTERM)
    finally:
        for served in (first, second):
            if served is not None:
                kill(served)
        ledger.close()

    assert created.status_code == 201
    assert (by_clerk.status_code, by_clerk.json()["code"]) == (403, "manager_only")
    assert by_manager.json()["status"] == "APPROVED"
    assert (revoked.status_code, revoked.json()["code"]) == (401, "token_revoked")
    assert after.json()["status"] == "CANCELLED"
    assert received == list(range(1, 7))  # 3 changes of the first order, 2 while serve was down, 1 after: none twice
    assert len(connections) >= 2 and connections[0] is None and connections[-1] is not None
    output = "".join(log.read_text(errors="replace") for log in logs)
    assert "Traceback" not in output  # the open stream ended when serve stopped: not cut off after a timeout
    assert "Auth: personal tokens of the user store (2 users)" in output
    assert '"GET /orders HTTP/1.1" 401' in output and clerk not in output and manager not in output


async def test_serve_speaks_https_with_a_certificate_desks_can_verify(settings: Settings, tmp_path: Path) -> None:
    certfile, keyfile = self_signed(tmp_path)
    env = team_env(settings)
    token = users_cli(env, "add", "mona", "--role", "manager")
    port = free_port()
    served = launch(env, port, tmp_path / "serve.log", "--ssl-certfile", str(certfile), "--ssl-keyfile", str(keyfile))
    trusting = ssl.create_default_context(cafile=str(certfile))
    try:
        async with httpx.AsyncClient(verify=trusting, timeout=15.0) as desk:
            served.url = f"https://localhost:{port}"
            await wait_until_healthy(served, desk)
            me = await desk.get(f"{served.url}/me", headers=bearer(token))
        async with httpx.AsyncClient(timeout=15.0) as stranger:  # the system's CAs do not know this certificate
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await stranger.get(f"{served.url}/healthz")
        await stop(served, signal.SIGTERM)
    finally:
        kill(served)

    assert me.json()["name"] == "mona"
    assert token not in served.output()


def test_serve_refuses_a_shared_token_where_roles_are_wanted(settings: Settings,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    ledger = Ledger(settings.ledger_url)
    Users(ledger.users).add("mona", Role.MANAGER)
    ledger.close()
    shared = settings.model_copy(update={"api_token": SecretStr("s" * 40)})
    with_roles = settings.model_copy(update={"data_dir": settings.data_dir / "other", "api_token": SecretStr("s" * 40),
                                             "roles": {"mona": Role.MANAGER}})

    assert serve(shared, host="127.0.0.1", port=free_port(), with_worker=False) == 2
    assert serve(with_roles, host="127.0.0.1", port=free_port(), with_worker=False) == 2
    [users_line, roles_line] = capsys.readouterr().err.strip().splitlines()
    assert "ORDER_DESK_API_TOKEN is one token shared" in users_line and "the user store has users" in users_line
    assert "ORDER_DESK_ROLES is set" in roles_line and "s" * 40 not in users_line + roles_line


def test_users_or_a_team_server_may_listen_beyond_loopback(settings: Settings) -> None:
    assert bind_refusal(settings, "0.0.0.0") is not None
    assert bind_refusal(settings, "0.0.0.0", users_exist=True) is None
    assert bind_refusal(settings.model_copy(update={"team": True}), "0.0.0.0") is None


def test_https_needs_a_usable_certificate_and_key(tmp_path: Path) -> None:
    certfile, keyfile = self_signed(tmp_path)
    (tmp_path / "other").mkdir()
    _, other_key = self_signed(tmp_path / "other")

    assert tls_refusal(None, None) is None and tls_refusal(certfile, keyfile) is None
    assert "both --ssl-certfile and --ssl-keyfile" in str(tls_refusal(certfile, None))
    assert "cannot use the certificate" in str(tls_refusal(tmp_path / "missing.pem", keyfile))
    assert "cannot use the certificate" in str(tls_refusal(certfile, other_key))

