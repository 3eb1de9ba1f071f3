"""A web page cannot drive the loopback API: a foreign Origin is 403 ``cross_origin`` on every state change, an
unknown Host is 400 ``unknown_host`` (DNS rebinding); curl, which sends neither, works as in the seed."""

from __future__ import annotations

import httpx
import pytest
from temporalio.worker import Worker

from core.api import create_app
from core.api.origin import allowed_hosts
from core.service import OrderService

LAPTOP = {"item": "Laptop Gaming XYZ", "quantity": 1}


@pytest.fixture
async def api(service: OrderService) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(service.settings, service, bind_host="127.0.0.1"))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "http://127.0.0.1:9999"},  # another port is another origin
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
])
async def test_a_state_change_from_another_origin_is_refused(api: httpx.AsyncClient, service: OrderService,
                                                             headers: dict[str, str]) -> None:
    before = await service.count_orders()
    response = await api.post("/orders", json=LAPTOP, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "cross_origin"
    approve = await api.post("/orders/order_0123456789ab/approve", headers=headers)
    assert approve.status_code == 403 and approve.json()["code"] == "cross_origin"
    assert await service.count_orders() == before


async def test_the_seed_demo_and_the_own_origin_still_work(api: httpx.AsyncClient, worker: Worker) -> None:
    # curl as the seed sends it: no Origin, no Content-Type on approve
    created = await api.post("/orders", content=b'{"item": "Laptop Gaming XYZ", "quantity": 1}',
                             headers={"Content-Type": "application/json"})
    assert created.status_code == 201, created.text
    same_origin = await api.post("/orders", json=LAPTOP, headers={"Origin": "http://127.0.0.1:8000",
                                                                  "Sec-Fetch-Site": "same-origin"})
    assert same_origin.status_code == 201, same_origin.text
    read_from_elsewhere = await api.get("/orders", headers={"Origin": "http://evil.example"})
    assert read_from_elsewhere.status_code == 200
    assert "access-control-allow-origin" not in read_from_elsewhere.headers  # the page cannot read it


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.168.1.20:8000"])
async def test_an_unknown_host_is_refused(api: httpx.AsyncClient, host: str) -> None:
    response = await api.get("/orders", headers={"Host": host})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_host"
    assert (await api.post("/orders", json=LAPTOP, headers={"Host": host})).status_code == 400


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"])
async def test_loopback_names_are_answered(api: httpx.AsyncClient, host: str) -> None:
    assert (await api.get("/healthz", headers={"Host": host})).status_code == 200


def test_which_hosts_are_answered() -> None:
    assert allowed_hosts("127.0.0.1", []) == {"localhost", "127.0.0.1", "::1"}
    assert allowed_hosts("0.0.0.0", []) is None  # every interface, no list: the required token decides
    assert allowed_hosts("0.0.0.0", ["orders.example.com"]) == {"localhost", "127.0.0.1", "::1",
                                                                "orders.example.com"}
    assert "10.0.0.5" in allowed_hosts("10.0.0.5", [])  # type: ignore[operator]
    assert allowed_hosts(None, []) == {"localhost", "127.0.0.1", "::1"}
