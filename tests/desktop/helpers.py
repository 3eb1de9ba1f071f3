"""Helpers the desktop tests share: running a coroutine on the Qt loop, waiting on the window, order data."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from temporalio.service import RPCError, RPCStatusCode

from core.errors import OrderDeskError
from core.ledger import Ledger
from core.models import Actor, OrderDetails, OrderStatus, OrderSummary, Transition
from core.service import OrderService
from core.settings import Settings
from desktop.main_window import MainWindow

T = TypeVar("T")
WEB_UI = "http://temporal-ui.test"
BOOT_TIMEOUT = 30_000
CALL_TIMEOUT = 20_000
TEARDOWN = Actor(name="test-teardown")
NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def run_until_done(qtbot: QtBot, awaitable: Awaitable[T], timeout: int = CALL_TIMEOUT) -> T:
    """Run ``awaitable`` on the Qt loop while Qt keeps processing events; return its result."""
    task = asyncio.ensure_future(awaitable)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


async def settle_orders(service: OrderService) -> None:
    """Leave no workflow running on the session's shared server once this test's worker stops: other tests
    list every workflow there (``rebuild_ledger``) and would wait on one that no worker serves."""
    async def settled(order: OrderSummary) -> None:
        if not order.status.is_final:  # cancelled before it is waited for, whichever listing found it
            with contextlib.suppress(OrderDeskError):
                await service.cancel(order.order_id, TEARDOWN)
        try:
            await service.client.get_workflow_handle(order.order_id).result()
        except RPCError as err:  # only in the ledger: a test wrote it there, no workflow runs it
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise

    # Twice: the ledger is written by an activity, so an order created just before the test ended may be listed only
    # by the second pass (it was then waited for but never cancelled: a teardown that hung for 20 s).
    for _ in range(2):
        await asyncio.gather(*(settled(order) for order in await service.list_orders(limit=1000)))


def close_window(qtbot: QtBot, window: MainWindow) -> None:
    if not window.closed_down:
        window.close()
    qtbot.waitUntil(lambda: window.closed_down and window.isHidden(), timeout=BOOT_TIMEOUT)


def wait_status(qtbot: QtBot, window: MainWindow, order_id: str, status: OrderStatus,
                timeout: int = CALL_TIMEOUT) -> None:
    qtbot.waitUntil(lambda: window.controller.model.status_of(order_id) == status, timeout=timeout)


def create_in_form(qtbot: QtBot, window: MainWindow, item: str, quantity: int = 1) -> str:
    """Type an order and press Enter; return the order the window then selects."""
    before = window.table.current_order_id()
    window.form.item_edit.setText(item)
    window.form.quantity_edit.setValue(quantity)
    qtbot.keyClick(window.form.item_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.table.current_order_id() not in (None, before), timeout=CALL_TIMEOUT)
    order_id = window.table.current_order_id()
    assert order_id is not None
    return order_id


def summary(number: int, status: OrderStatus = OrderStatus.PENDING_APPROVAL, item: str | None = None,
            quantity: int | None = None, created_by: str = "alice") -> OrderSummary:
    """An order as the list reports it; a higher number was created earlier."""
    return OrderSummary(order_id=f"order_{number:012x}", item=item or f"item {number}",
                        quantity=quantity or number + 1, status=status, created_by=created_by,
                        created_at=NOW - timedelta(minutes=number))


def seed_ledger(settings: Settings, count: int) -> None:
    """Closed orders written straight into the ledger, as retention would leave them: enough for several chunks."""
    ledger = Ledger(settings.ledger_url)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    try:
        for number in range(count):
            at = start + timedelta(minutes=number)
            ledger.record(OrderDetails(
                order_id=f"order_{number:016x}", item=f"Vật tư số {number}", quantity=number + 1,
                status=OrderStatus.APPROVED, created_by="an", created_at=at, updated_at=at,
                history=[Transition(status=OrderStatus.APPROVED, at=at, actor="hoa")]))
    finally:
        ledger.close()
