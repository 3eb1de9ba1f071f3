"""Vietnamese and English: chosen by ORDER_DESK_LANGUAGE, the Language menu or the system; switched at run time."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QMenu, QTabBar, QWidget
from pytestqt.qtbot import QtBot

from core.models import Action, Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from desktop import formatting
from desktop.i18n import LANGUAGES, Translations, choose_language, system_language
from desktop.main_window import MainWindow
from desktop.orders_model import Column
from desktop.status_bar import DeskStatusBar
from desktop.views import ALL_VIEW, VIEWS, status_text
from desktop.window_state import LANGUAGE
from tests.desktop.helpers import CALL_TIMEOUT, NOW, wait_status

OpenWindow = Callable[..., MainWindow]
Aio = Callable[..., Any]

# Texts that read the same in both languages on purpose: the product's name, each language's own name, and
# a label made of a proper noun and an address.
SAME_IN_BOTH = {"Order Desk", *LANGUAGES.values()}
SAME_PATTERNS = (re.compile(r"^Temporal: \S+$"),)


def texts(window: MainWindow) -> set[str]:
    """Every text the window shows or offers (menus, actions, labels, tabs, headers, tips)."""
    found = {window.windowTitle()}
    for action in window.findChildren(QAction):
        found |= {action.text(), action.toolTip()}
    for widget in window.findChildren(QWidget):
        found.add(widget.toolTip())
        if isinstance(widget, QLabel | QAbstractButton):
            found.add(widget.text())
        if isinstance(widget, QLineEdit):
            found.add(widget.placeholderText())
        if isinstance(widget, QGroupBox):
            found.add(widget.title())
        if isinstance(widget, QMenu):
            found.add(widget.title())
        if isinstance(widget, QTabBar):
            found |= {widget.tabText(index) for index in range(widget.count())}
    model = window.table.view.model()
    found |= {model.headerData(column, Qt.Orientation.Horizontal) for column in Column}
    return {text for text in found if text and re.search(r"[^\W\d_]", text)}


def cell(window: MainWindow, order_id: str, column: Column) -> str:
    return window.controller.model.index(window.controller.model.row_of(order_id), column).data()


def test_the_window_speaks_vietnamese_under_vi(qtbot: QtBot, open_window: OpenWindow, aio: Aio, other: OrderService,
                                               desk_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    set_progress = DeskStatusBar.set_progress

    def recording(bar: DeskStatusBar, text: str | None, *args: Any) -> None:
        if text:
            shown.append(text)
        set_progress(bar, text, *args)

    monkeypatch.setattr(DeskStatusBar, "set_progress", recording)
    window = open_window(desk_settings.model_copy(update={"language": "vi"}))
    window.table.set_view(ALL_VIEW)
    order_id = aio(other.create_order(OrderRequest(item="Bàn làm việc", quantity=1234,
                                                   unit_price=Decimal(1_250_000)), Actor(name="linh")))
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)

    assert [menu.title() for menu in window.menuBar().findChildren(QMenu)][:4] == [
        "&Tệp", "&Đơn hàng", "&Xem", "&Ngôn ngữ"]
    assert [window.decisions[action].text() for action in Action] == ["&Phê duyệt", "&Từ chối…", "&Hủy đơn"]
    qtbot.waitUntil(lambda: [window.table.tabs.tabText(index) for index in range(len(VIEWS))] == [
        "Đang chờ", "Chờ tôi duyệt (1)", "Tất cả", "Đã phê duyệt", "Đã từ chối", "Đã hủy", "Đã hết hạn"],
        timeout=CALL_TIMEOUT)
    assert window.form.title() == "Đơn hàng mới" and window.form.submit_button.text() == "Tạo đơn"
    assert window.controller.model.headerData(Column.ITEM, Qt.Orientation.Horizontal) == "Mặt hàng"
    assert cell(window, order_id, Column.STATUS) == "Chờ phê duyệt"
    assert cell(window, order_id, Column.QUANTITY) == "1.234"
    assert cell(window, order_id, Column.AMOUNT) == "1.542.500.000\u00a0₫"  # 1.234 × 1.250.000 ₫
    assert cell(window, order_id, Column.AWAITING) == "quản lý"
    assert window.status.worker_label.text() == "Bộ xử lý: đang chạy"
    assert window.status.actor_label.text() == "Người thao tác: desk-tester"
    assert shown[:2] == ["Đang khởi động…", f"Đang kết nối tới Temporal tại {desk_settings.temporal_address}…"]
    assert "Sẵn sàng: Temporal tại " + desk_settings.temporal_address in shown
    assert window.controller.model.summary(order_id).status is OrderStatus.PENDING_APPROVAL  # the value stays English


def test_switching_the_language_from_the_menu_retranslates_everything(
        qtbot: QtBot, open_window: OpenWindow, aio: Aio, other: OrderService, store: QSettings) -> None:
    window = open_window()
    order_id = aio(other.create_order(OrderRequest(item="Laptop", quantity=1234, unit_price=Decimal(1_250_000)),
                                      Actor(name="linh")))
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    assert cell(window, order_id, Column.QUANTITY) == "1,234"
    assert cell(window, order_id, Column.AMOUNT) == "VND\u00a01,542,500,000"
    qtbot.waitUntil(lambda: window.table.tabs.tabText(1) == "Needs my review (1)", timeout=CALL_TIMEOUT)
    english = texts(window)

    window.language_actions["vi"].trigger()
    qtbot.waitUntil(lambda: window.decisions[Action.APPROVE].text() == "&Phê duyệt", timeout=CALL_TIMEOUT)

    vietnamese = texts(window)
    untranslated = {text for text in english & vietnamese
                    if text not in SAME_IN_BOTH and not any(pattern.match(text) for pattern in SAME_PATTERNS)}
    assert untranslated == set()
    assert cell(window, order_id, Column.STATUS) == "Chờ phê duyệt"
    assert cell(window, order_id, Column.QUANTITY) == "1.234"
    assert cell(window, order_id, Column.AMOUNT) == "1.542.500.000\u00a0₫"
    assert window.language_actions["vi"].isChecked() and not window.language_actions["en"].isChecked()
    assert store.value(LANGUAGE) == "vi"  # the next launch opens in Vietnamese

    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: window.decisions[Action.APPROVE].text() == "&Approve", timeout=CALL_TIMEOUT)
    assert texts(window) == english


def test_the_language_comes_from_the_setting_then_the_menu_then_the_system(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose_language("vi", "en") == "vi"  # ORDER_DESK_LANGUAGE wins
    assert choose_language(None, "vi") == "vi"  # then the Language menu's last choice
    assert choose_language(None, "klingon") == choose_language(None, None) == system_language()
    monkeypatch.setenv("ORDER_DESK_LANGUAGE", "vi")
    assert Settings(_env_file=None).language == "vi"


def test_numbers_times_and_ages_follow_the_locale(translations: Translations) -> None:
    assert (formatting.number(1234567), formatting.age(42), formatting.age(3 * 86400)) == ("1,234,567", "42 s", "3 d")
    assert status_text(OrderStatus.CANCELLED) == "Cancelled"
    translations.apply("vi")
    assert (formatting.number(1234567), formatting.age(42), formatting.age(3 * 86400)) == (
        "1.234.567", "42 giây", "3 ngày")
    assert status_text(OrderStatus.CANCELLED) == "Đã hủy"
    assert QCoreApplication.translate("OrderStatus", "Cancelled") == "Đã hủy"
    assert formatting.date_time(NOW).startswith(formatting.date_time(NOW, seconds=False).split(" ")[0])
