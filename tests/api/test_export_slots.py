"""Exports cannot starve the API: at most ``ORDER_DESK_EXPORT_SLOTS`` stream at once (the next gets 503
``exports_busy`` with ``Retry-After``), each reads the ledger in short batches, and 30 stalled downloads leave
lists, details and decisions answering. Against ``order-desk serve`` on a real PostgreSQL ledger."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.ledger import Ledger
from tests.api.serving import embedded_env, kill, launch
from tests.helpers import assert_eventually, free_port
from tests.test_hardening_text import postgres_ledger_url  # noqa: F401  (a fixture)

ROWS = 60_000  # about 8 MB of CSV, more than the sockets buffer: a reader that stops reading stalls the server
STALLED = 30
SLOTS = 4


def fill(url: str) -> None:
    from bench.ledger import fill as bench_fill

    ledger = Ledger(url)
    try:
        bench_fill(ledger, ROWS)
    finally:
        ledger.close()


@pytest.fixture
async def served_on_postgres(tmp_path: Path, postgres_ledger_url: str) -> AsyncIterator[str]:  # noqa: F811
    await asyncio.to_thread(fill, postgres_ledger_url)
    env = embedded_env(tmp_path / "data", ORDER_DESK_DATABASE_URL=postgres_ledger_url,
                       ORDER_DESK_EXPORT_SLOTS=str(SLOTS))
    served = launch(tmp_path, env, free_port(), tmp_path / "serve.log")
    try:
        async with httpx.AsyncClient() as client:
            async def up() -> None:
                try:
                    assert (await client.get(f"{served.url}/healthz")).status_code == 200
                except httpx.TransportError as err:
                    raise AssertionError(f"serve is not up yet: {err}") from err
            await assert_eventually(up, timeout=90)
        yield served.url
    finally:
        kill(served)


async def test_stalled_downloads_leave_the_api_answering(served_on_postgres: str) -> None:
    url = served_on_postgres
    # A small receive buffer, as a slow client on a real network has: the kernel cannot swallow the download.
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=STALLED + 10),
                                         socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    async with httpx.AsyncClient(base_url=url, timeout=30, transport=transport) as client:
        downloads = [await client.send(client.build_request("GET", "/orders.csv"), stream=True)
                     for _ in range(STALLED)]
        try:
            streaming = [d for d in downloads if d.status_code == 200]
            refused = [d for d in downloads if d.status_code == 503]
            assert len(streaming) == SLOTS and len(refused) == STALLED - SLOTS
            for response in refused:
                await response.aread()
                assert response.json()["code"] == "exports_busy" and response.headers["Retry-After"].isdigit()
            # Each reads one chunk and stalls, its socket buffers filling. (The readers are kept: a dropped async
            # iterator is closed by the garbage collector, and with it the download.)
            readers = [response.aiter_bytes() for response in streaming]
            for reader in readers:
                await anext(reader)

            listed = await client.get("/orders", params={"limit": 5})
            assert listed.status_code == 200 and listed.json()["count"] == ROWS
            detail = await client.get(f"/orders/{listed.json()['data'][0]['order_id']}")
            assert detail.status_code == 200
            created = await client.post("/orders", json={"item": "Laptop", "quantity": 1})
            assert created.status_code == 201
            order_id = created.json()["order_id"]

            async def pending() -> None:
                assert (await client.get(f"/orders/{order_id}/status")).json()["status"] == "PENDING_APPROVAL"
            await assert_eventually(pending, timeout=60)
            decided = await client.post(f"/orders/{order_id}/approve")
            assert decided.status_code == 200 and decided.json()["status"] == "APPROVED"
            busy = await client.get("/orders.csv")
            assert busy.status_code == 503  # the stalled ones still hold every slot
        finally:
            for response in downloads:
                await response.aclose()

        async def slot_free_again() -> None:
            again = await client.get("/orders.csv", params={"q": "nothing matches this"})
            assert again.status_code == 200 and again.text.count("\n") == 1  # the header alone
        await assert_eventually(slot_free_again, timeout=30)
