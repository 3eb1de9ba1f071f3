"""File → Export…: the view as CSV through the service's export, with a BOM, Vietnamese intact, and progress."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QLineEdit
from pytestqt.qtbot import QtBot

from core.csv_export import CSV_HEADER
from core.models import Actor, OrderFilter, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from desktop.export import export_orders
from desktop.main_window import MainWindow
from desktop.message_bar import Severity
from desktop.orders_model import ORDER_ID_ROLE
from desktop.views import ALL_VIEW, PENDING_VIEW
from tests.desktop.helpers import CALL_TIMEOUT, seed_ledger, wait_status

OpenWindow = Callable[..., MainWindow]
Aio = Callable[..., Any]
BOM = b"\xef\xbb\xbf"
LINH = Actor(name="linh")


def export_through_the_dialog(qtbot: QtBot, window: MainWindow, target: Path) -> None:
    window.export_action.trigger()  # returns at once: the file dialog is open(), not exec()
    dialog = window.findChild(QFileDialog, "exportDialog")
    assert dialog is not None and dialog.isVisible()
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(lambda: window.messages.source == "export", timeout=CALL_TIMEOUT)


def folder(tmp_path: Path) -> Path:
    """Exports go to a folder of their own, away from the desk's data files."""
    exports = tmp_path / "exports"
    exports.mkdir(exist_ok=True)
    return exports


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def visible_ids(window: MainWindow) -> set[str]:
    proxy = window.table.proxy
    return {proxy.index(row, 0).data(ORDER_ID_ROLE) for row in range(proxy.rowCount())}


async def service_export(service: OrderService, where: OrderFilter) -> bytes:
    return "".join([chunk async for chunk in service.export_csv(where)]).encode("utf-8")


def test_export_writes_the_view_with_its_search_as_the_service_exports_it(
        qtbot: QtBot, open_window: OpenWindow, aio: Aio, other: OrderService, tmp_path: Path) -> None:
    window = open_window()
    window.table.set_view(ALL_VIEW)
    items = ["Bàn làm việc đứng", "Bàn phím cơ \"Akko\", bản tiếng Việt", "Ghế công thái học", "Bàn họp tròn"]
    order_ids = [aio(other.create_order(OrderRequest(item=item, quantity=1234), LINH)) for item in items]
    for order_id in order_ids:
        wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    aio(other.cancel(order_ids[3], LINH))  # matches the search, but is not in the Pending view
    wait_status(qtbot, window, order_ids[3], OrderStatus.CANCELLED)

    window.table.set_view(PENDING_VIEW)
    window.table.search.setText("BÀN")  # case-folded, as the service's q
    qtbot.waitUntil(lambda: visible_ids(window) == set(order_ids[:2]), timeout=CALL_TIMEOUT)
    target = folder(tmp_path) / "đơn hàng.csv"
    export_through_the_dialog(qtbot, window, target)

    assert window.messages.severity == Severity.SUCCESS, window.messages.text
    assert window.messages.text == f"Exported 2 orders to {target}."
    rows = read_csv(target)
    assert rows[0] == CSV_HEADER
    assert {tuple(row[:5]) for row in rows[1:]} == {
        (order_id, item, "1234", "PENDING_APPROVAL", "linh") for order_id, item in zip(order_ids[:2], items[:2],
                                                                                         strict=True)}
    # Byte for byte what GET /orders.csv?status=PENDING_APPROVAL&q=BÀN sends (no order is still validating).
    assert target.read_bytes() == aio(service_export(other, OrderFilter.of(OrderStatus.PENDING_APPROVAL,
                                                                         q="BÀN")))
    assert [path.name for path in target.parent.iterdir()] == [target.name]  # no partial file left


def test_a_large_export_reports_its_progress(qtbot: QtBot, open_window: OpenWindow, desk_settings: Settings,
                                             tmp_path: Path) -> None:
    seed_ledger(desk_settings, 1100)  # the service's export reads 1,000 rows per chunk
    window = open_window()
    window.table.set_view(ALL_VIEW)
    steps: list[tuple[int, int]] = []
    window.status.progress.valueChanged.connect(lambda value: steps.append((value, window.status.progress.maximum())))
    target = folder(tmp_path) / "all.csv"
    export_through_the_dialog(qtbot, window, target)

    assert window.messages.text == f"Exported 1,100 orders to {target}."
    assert steps[-1] == (1100, 1100) and (1000, 1100) in steps
    assert [value for value, _total in steps] == sorted(value for value, _total in steps)
    assert not window.status.progress.isVisible()
    rows = read_csv(target)
    assert len(rows) == 1 + 1100 and rows[1][1] == "Vật tư số 1099"  # newest first


def test_a_failed_or_cancelled_export_leaves_the_target_as_it_was(aio: Aio, other: OrderService,
                                                                   desk_settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        aio(export_orders(other, OrderFilter(), tmp_path / "no such folder" / "x.csv", lambda *_: None))

    seed_ledger(desk_settings, 1100)
    target = folder(tmp_path) / "orders.csv"
    target.write_text("an earlier export")
    first_chunk = asyncio.Event()

    def progressed(done: int, _total: int) -> None:
        if done:
            first_chunk.set()

    async def cancel_after_the_first_chunk() -> None:
        export = asyncio.ensure_future(export_orders(other, OrderFilter(), target, progressed))
        await first_chunk.wait()
        export.cancel()
        with pytest.raises(asyncio.CancelledError):
            await export

    aio(cancel_after_the_first_chunk())
    assert target.read_text() == "an earlier export"
    assert [path.name for path in target.parent.iterdir()] == [target.name]




class _EndOfLineOnCtrlE(QLineEdit):
    """A line edit under X11's key bindings, which claim Ctrl+E for "end of line" (the offscreen platform has none)."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and QKeySequence(event.keyCombination()) == QKeySequence(
                "Ctrl+E"):
            event.accept()
            return True
        return super().event(event)


def test_ctrl_e_reaches_the_windows_export_from_a_field_that_claims_it(qtbot: QtBot,
                                                                       open_window: OpenWindow) -> None:
    """Export did nothing with the cursor in the item field or the search box (a desk QA pass, under X11)."""
    window = open_window()
    field = _EndOfLineOnCtrlE(window.form)
    window.form.layout().addWidget(field, 2, 1)
    field.installEventFilter(window._shortcuts_first)  # as the window does for its own fields
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    [dialog] = [found for found in window.findChildren(QFileDialog, "exportDialog") if found.isVisible()]
    dialog.reject()
    field.removeEventFilter(window._shortcuts_first)  # and without it, the field keeps Ctrl+E
    qtbot.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert not [found for found in window.findChildren(QFileDialog, "exportDialog") if found.isVisible()]
