"""``GET /orders`` filters and pages with the total ``count``; ``GET /orders.csv`` exports the same search as
a streamed UTF-8 (BOM) CSV file. Each test has its own ledger (its own data dir), so counts are exact."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from temporalio.worker import Worker

from core.api import create_app
from core.csv_export import CSV_HEADER
from core.ledger import Ledger
from core.service import OrderService
from tests.helpers import assert_eventually

VIETNAMESE = "Máy tính xách tay Đặc biệt — bàn phím cơ"
PERCENT = "Giảm giá 100% ổ cứng"


@pytest.fixture
async def no_worker_client(service: OrderService) -> AsyncIterator[httpx.AsyncClient]:
    """Enough for requests that are refused before any order is touched."""
    transport = httpx.ASGITransport(app=create_app(service.settings, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        yield client


@pytest.fixture
async def client(no_worker_client: httpx.AsyncClient, worker: Worker) -> httpx.AsyncClient:
    return no_worker_client


async def create(client: httpx.AsyncClient, item: str, actor: str = "api", quantity: int = 1) -> str:
    response = await client.post("/orders", json={"item": item, "quantity": quantity}, headers={"X-Actor": actor})
    assert response.status_code == 201, response.text
    return response.json()["order_id"]


async def listed(client: httpx.AsyncClient, count: int, **params: Any) -> dict[str, Any]:
    """``GET /orders`` once the ledger holds ``count`` matching orders (the workflow records them at start)."""

    async def holds() -> dict[str, Any]:
        response = await client.get("/orders", params=params)
        assert response.status_code == 200, response.text
        assert response.json()["count"] == count
        return response.json()

    return await assert_eventually(holds)


def ids(page: dict[str, Any]) -> list[str]:
    return [order["order_id"] for order in page["data"]]


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.fixture
async def three_orders(client: httpx.AsyncClient) -> list[str]:
    """Oldest first: alice's Vietnamese laptop, bob's discount disks, alice's plain chairs. Each is recorded
    before the next is created: an order's time is its workflow's first task, which may otherwise run late."""
    orders = []
    for item, actor, quantity in ((VIETNAMESE, "alice", 1), (PERCENT, "bob", 2), ("Ghế văn phòng", "alice", 4)):
        orders.append(await create(client, item, actor, quantity))
        await listed(client, len(orders))
    return orders


async def test_count_is_the_total_and_limit_offset_page_through_it(client: httpx.AsyncClient,
                                                                   three_orders: list[str]) -> None:
    first = (await client.get("/orders", params={"limit": 2})).json()
    second = (await client.get("/orders", params={"limit": 2, "offset": 2})).json()
    beyond = (await client.get("/orders", params={"limit": 2, "offset": 3})).json()

    assert (first["count"], second["count"], beyond["count"]) == (3, 3, 3)
    assert ids(first) + ids(second) == three_orders[::-1]  # newest first, no overlap, nothing skipped
    assert beyond["data"] == []


async def test_q_matches_item_text_case_insensitively_including_vietnamese(client: httpx.AsyncClient,
                                                                          three_orders: list[str]) -> None:
    laptop, disks, chairs = three_orders

    upper = (await client.get("/orders", params={"q": "ĐẶC BIỆT"})).json()
    padded = (await client.get("/orders", params={"q": "  bàn PHÍM  "})).json()
    percent = (await client.get("/orders", params={"q": "100%"})).json()
    wildcard = (await client.get("/orders", params={"q": "_"})).json()
    blank = (await client.get("/orders", params={"q": ""})).json()

    assert (ids(upper), upper["count"]) == ([laptop], 1)
    assert ids(padded) == [laptop]
    assert ids(percent) == [disks]  # % and _ are plain characters, not SQL wildcards
    assert (ids(wildcard), wildcard["count"]) == ([], 0)
    assert blank["count"] == 3  # an empty search box filters nothing
    assert upper["data"][0]["item"] == VIETNAMESE


async def test_created_by_and_status_filters_combine(client: httpx.AsyncClient, three_orders: list[str]) -> None:
    laptop, disks, chairs = three_orders

    async def chairs_pending() -> None:
        assert (await client.get(f"/orders/{chairs}/status")).json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(chairs_pending)
    assert (await client.post(f"/orders/{chairs}/approve")).status_code == 200

    by_alice = await listed(client, 2, created_by="alice")
    alice_approved = await listed(client, 1, created_by="alice", status="APPROVED")
    nobody = (await client.get("/orders", params={"created_by": "ali"})).json()

    assert ids(by_alice) == [chairs, laptop]
    assert ids(alice_approved) == [chairs]
    assert nobody["count"] == 0  # exact name, not a prefix


async def test_status_repeated_matches_any_of_them_in_the_list_and_the_csv(client: httpx.AsyncClient,
                                                                         three_orders: list[str]) -> None:
    laptop, disks, chairs = three_orders  # the laptop stays undecided

    async def chairs_pending() -> None:
        assert (await client.get(f"/orders/{chairs}/status")).json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(chairs_pending)
    assert (await client.post(f"/orders/{chairs}/approve")).status_code == 200
    assert (await client.post(f"/orders/{disks}/cancel")).status_code == 200
    decided = {"status": ["APPROVED", "CANCELLED"]}  # status=APPROVED&status=CANCELLED

    page = await listed(client, 2, **decided)
    exported = read_csv(await client.get("/orders.csv", params=decided))

    assert ids(page) == [chairs, disks]
    assert [(row["order_id"], row["status"]) for row in exported] == [(chairs, "APPROVED"), (disks, "CANCELLED")]


async def test_since_is_inclusive_until_exclusive_and_naive_times_are_utc(client: httpx.AsyncClient,
                                                                         three_orders: list[str]) -> None:
    laptop, disks, chairs = three_orders
    created = {order["order_id"]: datetime.fromisoformat(order["created_at"])
               for order in (await client.get("/orders")).json()["data"]}
    middle = created[disks]
    assert middle.tzinfo is not None and created[laptop] < middle < created[chairs]
    hanoi = middle.astimezone(timezone(timedelta(hours=7))).isoformat()
    naive = middle.astimezone(UTC).replace(tzinfo=None).isoformat()

    for spelled in (middle.isoformat().replace("+00:00", "Z"), hanoi, naive):
        since = (await client.get("/orders", params={"since": spelled})).json()
        until = (await client.get("/orders", params={"until": spelled})).json()
        assert (ids(since), since["count"]) == ([chairs, disks], 2), spelled
        assert (ids(until), until["count"]) == ([laptop], 1), spelled
    window = (await client.get("/orders", params={"since": hanoi, "until": created[chairs].isoformat()})).json()
    assert ids(window) == [disks]
    day = created[laptop].date()
    dates = (await client.get("/orders", params={"since": day.isoformat(),
                                                 "until": (day + timedelta(days=2)).isoformat()})).json()
    before = (await client.get("/orders", params={"until": day.isoformat()})).json()
    assert (dates["count"], before["count"]) == (3, 0)  # a bare date is midnight UTC


@pytest.mark.parametrize("path", ["/orders", "/orders.csv"])
@pytest.mark.parametrize(("params", "field"), [
    ({"since": "yesterday"}, "since"),
    ({"min_amount": "1e3"}, "min_amount"),
    ({"currency": "dong"}, "currency"),
    ({"since": "1700000000"}, "since"),  # a Unix time is not ISO 8601 (pydantic would have taken it)
    ({"until": "2025-13-01"}, "until"),
    ({"until": "2025-02-30T10:00:00Z"}, "until"),
    ({"since": "2025-06-01T24:00"}, "since"),
    ({"since": "2025-06-01T10:00:00+24:00"}, "since"),
    ({"since": "0001-01-01T00:00:00+05:00"}, "since"),  # before year 1 in UTC
    ({"since": "2025-06-02", "until": "2025-06-01"}, "until"),
    ({"since": "2025-06-01T00:00:00Z", "until": "2025-06-01T07:00:00+07:00"}, "until"),  # the same instant
    ({"q": "x" * 201}, "q"),
    ({"q": "nul\x00byte"}, "q"),
    ({"created_by": "x" * 101}, "created_by"),
    ({"status": "SHIPPED"}, "status"),
])
async def test_a_bad_filter_is_422_naming_the_parameter(no_worker_client: httpx.AsyncClient, path: str,
                                                        params: dict[str, str], field: str) -> None:
    response = await no_worker_client.get(path, params=params)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    assert field in response.json()["detail"]
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert "^" not in response.json()["detail"]  # said for people, not as the OpenAPI pattern


async def test_csv_export_streams_utf8_with_bom_and_round_trips_vietnamese(client: httpx.AsyncClient,
                                                                          three_orders: list[str]) -> None:
    laptop, disks, chairs = three_orders

    response = await client.get("/orders.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="orders.csv"'
    assert "content-length" not in response.headers  # streamed, not built in memory first
    assert response.content.startswith(b"\xef\xbb\xbf" + ",".join(CSV_HEADER).encode() + b"\r\n")
    rows = read_csv(response)
    assert [row["order_id"] for row in rows] == [chairs, disks, laptop]
    assert (rows[2]["item"], rows[2]["created_by"], rows[2]["quantity"]) == (VIETNAMESE, "alice", "1")
    assert rows[1]["item"] == PERCENT
    assert {row["status"] for row in rows} <= {"VALIDATING", "PENDING_APPROVAL"}


async def test_csv_export_applies_the_same_filter_as_the_list(client: httpx.AsyncClient,
                                                             three_orders: list[str]) -> None:
    laptop, disks, chairs = three_orders
    params = {"created_by": "alice", "q": "đặc"}

    exported = read_csv(await client.get("/orders.csv", params=params))
    listed_page = (await client.get("/orders", params=params)).json()
    empty = await client.get("/orders.csv", params={"created_by": "nobody"})

    assert [row["order_id"] for row in exported] == ids(listed_page) == [laptop]
    assert empty.content.decode("utf-8-sig") == ",".join(CSV_HEADER) + "\r\n"  # the header, still


async def test_orders_csv_is_not_taken_for_an_order_id(client: httpx.AsyncClient) -> None:
    order_id = await create(client, "Laptop")

    export = await client.get("/orders.csv")
    slashed = await client.get("/orders/orders.csv")
    order = await client.get(f"/orders/{order_id}")

    assert export.headers["content-type"].startswith("text/csv")
    assert slashed.status_code == 404 and slashed.json()["detail"] == "order orders.csv not found"
    assert order.status_code == 200 and order.json()["order_id"] == order_id


async def test_a_ledger_that_does_not_answer_is_503(service: OrderService) -> None:
    """A PostgreSQL ledger on a port nobody listens on: the list says so, retryable, without the URL's password."""
    unreachable = Ledger("postgresql+psycopg://desk:s3cret-pw@127.0.0.1:9/desk?connect_timeout=2", migrate=False)
    app = create_app(service.settings, OrderService(service.client, service.settings, unreachable))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000") as client:
        listing = await client.get("/orders", params={"q": "x"})
        export = await client.get("/orders.csv")
        status = await client.get("/orders/order_0123456789ab/status")  # unknown to Temporal: asks the ledger

    for response in (listing, export, status):
        assert response.status_code == 503, response.text
        assert response.json() == {"detail": "the order ledger (database) does not answer; try again shortly",
                                   "code": "ledger_unavailable"}
        assert response.headers["Retry-After"].isdigit()
    unreachable.close()
