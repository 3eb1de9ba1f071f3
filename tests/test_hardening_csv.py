"""Exports are safe to open: no cell a spreadsheet would run as a formula, in the writer and end to end."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import pytest
from temporalio.worker import Worker

from core.api import create_app
from core.csv_export import csv_chunk, csv_rows
from core.models import OrderStatus, OrderSummary
from core.service import OrderService
from tests.helpers import assert_eventually

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
DANGEROUS = ['=HYPERLINK("http://x","click")', "+1+1", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", DANGEROUS + ["\tTAB first", "\rCR first"])
def test_a_formula_start_is_neutralised(text: str) -> None:
    [row] = list(csv.reader(io.StringIO(csv_rows([[text, 5]]), newline="")))
    assert row == ["'" + text, "5"]


@pytest.mark.parametrize("text", ["Laptop = fast", "Bàn phím", "50% off", "'quoted already", "a-b", "1+1"])
def test_other_text_is_left_as_it_is(text: str) -> None:
    [row] = list(csv.reader(io.StringIO(csv_rows([[text]]), newline="")))
    assert row == [text]


def test_numbers_stay_numbers_and_every_text_column_is_guarded() -> None:
    order = OrderSummary(order_id="order_0123456789ab", item="=1+2", quantity=3, status=OrderStatus.APPROVED,
                         created_by="@mona", created_at=AT, updated_at=AT)
    [row] = list(csv.reader(io.StringIO(csv_chunk([order]), newline="")))
    assert row[:5] == ["order_0123456789ab", "'=1+2", "3", "APPROVED", "'@mona"]


async def test_the_rest_export_of_a_formula_item_cannot_run(service: OrderService, worker: Worker) -> None:
    app = create_app(service.settings, service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000") as client:
        created = await client.post("/orders", json={"item": DANGEROUS[0], "quantity": 1},
                                    headers={"X-Actor": "=evil"})
        order_id = created.json()["order_id"]

        async def listed() -> None:
            # The ledger lists the order from VALIDATING on: wait for the status the export is checked for.
            assert [(order["order_id"], order["status"]) for order in (await client.get("/orders")).json()["data"]
                    ] == [(order_id, "PENDING_APPROVAL")]

        await assert_eventually(listed)
        exported = await client.get("/orders.csv")

    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    assert rows[1][:5] == [order_id, "'" + DANGEROUS[0], "1", "PENDING_APPROVAL", "'=evil"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
