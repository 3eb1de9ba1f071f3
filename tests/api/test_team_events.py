"""``GET /events`` over a real socket: every change of an order pushed in order, a reconnect with ``Last-Event-ID``
that misses nothing, heartbeats on a quiet stream, and the same auth as every route (a revoked user's open stream
ends)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from temporalio.worker import Worker

from core.api import create_app
from core.models import OrderStatus, Role
from core.service import OrderService
from tests.api.team_helpers import live_server, open_events
from tests.helpers import assert_eventually

ORDER = {"item": "Bàn làm việc", "quantity": 1}
Serve = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture
def serve(service: OrderService, worker: Worker) -> Serve:
    """The app over the test's service under a real uvicorn, with the settings changed as asked."""

    def start(**changes: Any) -> AbstractAsyncContextManager[str]:
        settings = service.settings.model_copy(update=changes)
        return live_server(create_app(settings, OrderService(service.client, settings, service.ledger)))

    return start


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=15.0) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def pending_order(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> str:
    created = await client.post(f"{url}/orders", json=ORDER, headers=headers)
    assert created.status_code == 201, created.text
    order_id = created.json()["order_id"]

    async def is_pending() -> None:
        status = await client.get(f"{url}/orders/{order_id}/status", headers=headers)
        assert status.json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(is_pending)
    return order_id


async def test_every_change_of_an_order_is_pushed_in_order(serve: Serve, client: httpx.AsyncClient,
                                                           service: OrderService) -> None:
    _, clerk = service.users.add("Nguyễn Văn An", Role.CLERK)
    _, manager = service.users.add("mona", Role.MANAGER)
    async with serve() as url, open_events(client, url, bearer(manager)) as stream:
        ready = await stream.next()
        order_id = await pending_order(client, url, bearer(clerk))
        await client.post(f"{url}/orders/{order_id}/approve", headers=bearer(manager))
        changes = await stream.changes(3)

    assert (ready.event, ready.id, ready.data, ready.retry) == ("ready", "0", '{"after":0}', 2000)
    assert [(c.order_id, c.kind, c.status, c.actor) for c in changes] == [
        (order_id, "created", OrderStatus.VALIDATING, "Nguyễn Văn An"),
        (order_id, "transition", OrderStatus.PENDING_APPROVAL, "system"),
        (order_id, "transition", OrderStatus.APPROVED, "mona")]
    assert [c.seq for c in changes] == [1, 2, 3]
    assert changes[-1].order.status == OrderStatus.APPROVED and changes[-1].order.item == ORDER["item"]


async def test_a_reconnect_with_last_event_id_misses_nothing(serve: Serve, client: httpx.AsyncClient) -> None:
    async with serve() as url:
        async with open_events(client, url) as stream:  # the open demo: no token
            await stream.next()
            first = await pending_order(client, url, {})
            seen = await stream.changes(2)
        last_id = str(seen[-1].seq)
        await client.post(f"{url}/orders/{first}/cancel")  # while nobody listens
        second = await pending_order(client, url, {})
        async with open_events(client, url, {"Last-Event-ID": last_id}) as stream:
            ready = await stream.next()
            missed = await stream.changes(3)

    assert ready.id == last_id
    assert [(c.order_id, c.status) for c in missed] == [
        (first, OrderStatus.CANCELLED), (second, OrderStatus.VALIDATING), (second, OrderStatus.PENDING_APPROVAL)]
    assert [c.seq for c in seen + missed] == list(range(1, 6))


async def test_a_new_stream_starts_now_and_an_id_from_another_ledger_starts_over(
        serve: Serve, client: httpx.AsyncClient) -> None:
    async with serve() as url:
        await pending_order(client, url, {})
        async with open_events(client, url) as stream:
            now = await stream.next()
        async with open_events(client, url, {"Last-Event-ID": "999999"}) as stream:
            over = await stream.next()
            replayed = await stream.changes(2)

    assert now.id == "2"
    assert over.id == "0" and [c.seq for c in replayed] == [1, 2]


async def test_a_quiet_stream_gets_heartbeats(serve: Serve, client: httpx.AsyncClient) -> None:
    async with serve(events_heartbeat=0.3) as url, open_events(client, url) as stream:
        await stream.next()
        quiet = [await stream.next(heartbeats=True) for _ in range(2)]

    assert [event.comment for event in quiet] == ["heartbeat", "heartbeat"]


async def test_events_need_the_same_auth_as_every_route(serve: Serve, client: httpx.AsyncClient,
                                                        service: OrderService) -> None:
    _, token = service.users.add("mona", Role.MANAGER)
    async with serve() as url:
        anonymous = await client.get(f"{url}/events")
        wrong = await client.get(f"{url}/events", headers=bearer("odt_" + "w" * 43))
        malformed = await client.get(f"{url}/events", headers={**bearer(token), "Last-Event-ID": "abc"})
        async with open_events(client, url, bearer(token)) as stream:
            await stream.next()
            service.users.revoke("mona")
            with pytest.raises(AssertionError, match="the stream ended"):  # within a second or two
                await stream.next(heartbeats=True)
        revoked = await client.get(f"{url}/events", headers=bearer(token))

    for response, code in ((anonymous, "unauthorized"), (wrong, "unauthorized"), (revoked, "token_revoked")):
        assert response.status_code == 401 and response.json()["code"] == code
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "Last-Event-ID"
