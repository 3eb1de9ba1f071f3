"""The window against the real Temporal server: create, decide, refusals, live updates, worker control."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QMenu, QPushButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.models import Action, Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from desktop.decision_dialog import DecisionDialog
from desktop.main_window import MainWindow
from desktop.message_bar import Severity
from desktop.views import ALL_VIEW, PENDING_VIEW
from tests.desktop.helpers import CALL_TIMEOUT, WEB_UI, close_window, create_in_form, wait_status
from tests.helpers import free_port

ALICE = Actor(name="alice")
OpenWindow = Callable[..., MainWindow]
Aio = Callable[..., Any]


def create_elsewhere(aio: Aio, other: OrderService, item: str) -> str:
    return aio(other.create_order(OrderRequest(item=item, quantity=2), ALICE))


def select(qtbot: QtBot, window: MainWindow, order_id: str) -> None:
    qtbot.waitUntil(lambda: window.controller.model.row_of(order_id) is not None, timeout=CALL_TIMEOUT)
    assert window.table.select_order(order_id)


def enabled(window: MainWindow) -> dict[Action, bool]:
    return {action: window.decisions[action].isEnabled() for action in Action}


def toolbar_button(window: MainWindow, action: Action) -> QPushButton:
    return window.toolbar.widgetForAction(window.decisions[action])


def test_order_created_in_the_form_is_selected_then_approved(qtbot: QtBot, open_window: OpenWindow,
                                                            aio: Aio, other: OrderService) -> None:
    window = open_window()
    window.table.set_view(ALL_VIEW)  # decided orders stay listed here (they leave the Pending view)
    order_id = create_in_form(qtbot, window, "Laptop Dell XPS 15", 2)
    assert window.controller.model.summary(order_id).item == "Laptop Dell XPS 15"
    assert window.form.item_edit.text() == ""  # ready for the next order
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    qtbot.waitUntil(lambda: toolbar_button(window, Action.APPROVE).isEnabled())

    qtbot.mouseClick(toolbar_button(window, Action.APPROVE), Qt.MouseButton.LeftButton)

    wait_status(qtbot, window, order_id, OrderStatus.APPROVED)
    assert window.messages.severity == Severity.SUCCESS
    temporal_says(qtbot, aio, other, order_id, OrderStatus.APPROVED)
    qtbot.waitUntil(lambda: ("Approved", "desk-tester") in [row[1:3] for row in window.detail.history_rows()])


def test_a_long_item_without_spaces_does_not_widen_the_window(qtbot: QtBot, open_window: OpenWindow) -> None:
    """Its "Created order" message set the window's minimum width: 2,449 px on a 1,600 px screen, off-screen."""
    window = open_window()
    window.resize(800, 600)
    item = "W" * 200
    order_id = create_in_form(qtbot, window, item)
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    qtbot.waitUntil(lambda: order_id in window.messages.text, timeout=CALL_TIMEOUT)
    assert item in window.messages.text and item in window.messages._label.text()  # as given: copied as said
    assert window.minimumSizeHint().width() <= 800 and window.width() <= 800
    qtbot.waitUntil(lambda: window.detail.title.text() == order_id, timeout=CALL_TIMEOUT)
    assert window.detail.fields["item"].text() == window.detail.fields["item"].toolTip() == item  # whole on hover
    assert window.detail.minimumSizeHint().width() <= 440  # its share of the splitter


def test_reject_asks_for_a_reason_without_blocking(qtbot: QtBot, open_window: OpenWindow, aio: Aio,
                                                   other: OrderService) -> None:
    window = open_window()
    window.table.set_view(ALL_VIEW)
    order_id = create_elsewhere(aio, other, "Standing desk")
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    select(qtbot, window, order_id)
    qtbot.waitUntil(lambda: window.decisions[Action.REJECT].isEnabled())

    window.decisions[Action.REJECT].trigger()  # returns at once: the dialog is open(), not exec()
    dialog = window.findChild(DecisionDialog, "rejectDialog")
    assert dialog is not None and dialog.isVisible() and dialog.order_ids == [order_id]
    qtbot.keyClicks(dialog.reason_edit, "over budget")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)

    wait_status(qtbot, window, order_id, OrderStatus.REJECTED)
    temporal_says(qtbot, aio, other, order_id, OrderStatus.REJECTED)
    details = aio(other.details(order_id))
    assert (details.history[-1].actor, details.history[-1].reason) == ("desk-tester", "over budget")
    qtbot.waitUntil(lambda: ("Rejected", "desk-tester", "over budget") in
                    [row[1:] for row in window.detail.history_rows()])


def temporal_says(qtbot: QtBot, aio: Aio, other: OrderService, order_id: str, status: OrderStatus) -> None:
    """The table follows the ledger, which the decision's local activity writes a moment before its workflow task
    completes in Temporal: Temporal's own status catches up within milliseconds, so it is waited for, not read once."""
    qtbot.waitUntil(lambda: aio(other.status(order_id)) is status)


def test_cancel_by_keyboard_shortcut(qtbot: QtBot, open_window: OpenWindow, aio: Aio, other: OrderService) -> None:
    window = open_window()
    window.table.set_view(ALL_VIEW)
    order_id = create_elsewhere(aio, other, "Office chair")
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    select(qtbot, window, order_id)
    qtbot.waitUntil(lambda: window.decisions[Action.CANCEL].isEnabled())
    window.activateWindow()
    window.table.view.setFocus()

    qtbot.keyClick(window.table.view, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    wait_status(qtbot, window, order_id, OrderStatus.CANCELLED)
    temporal_says(qtbot, aio, other, order_id, OrderStatus.CANCELLED)


def test_a_refused_decision_shows_why_in_the_window(qtbot: QtBot, open_window: OpenWindow, aio: Aio,
                                                    other: OrderService) -> None:
    window = open_window(refresh_interval=3600, follow=False)  # only explicit refreshes: the view goes stale
    order_id = create_elsewhere(aio, other, "Projector")
    qtbot.waitUntil(lambda: aio(other.status(order_id)) is OrderStatus.PENDING_APPROVAL, timeout=CALL_TIMEOUT)
    window.refresh_action.trigger()
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    select(qtbot, window, order_id)
    qtbot.waitUntil(lambda: window.detail.fields["status"].text() == "Pending approval"
                    and len(window.detail.history_rows()) >= 2)
    aio(other.cancel(order_id, ALICE))  # someone else decides first

    assert window.decisions[Action.APPROVE].isEnabled()
    window.decisions[Action.APPROVE].trigger()

    qtbot.waitUntil(lambda: window.messages.severity == Severity.WARNING, timeout=CALL_TIMEOUT)
    assert window.messages.text == f"{order_id}: cannot approve an order that is cancelled"
    label = window.findChild(QLabel, "messageLabel")
    assert label.isVisible() and label.textFormat() == Qt.TextFormat.PlainText
    assert window.controller.model.status_of(order_id) is OrderStatus.CANCELLED  # at once, without a poll
    assert enabled(window) == {Action.APPROVE: False, Action.REJECT: False, Action.CANCEL: False}


def test_a_clerk_is_offered_no_approval_and_is_refused_it_with_the_services_reason(
        qtbot: QtBot, open_window: OpenWindow, aio: Aio, other: OrderService, desk_settings: Settings) -> None:
    window = open_window(desk_settings.model_copy(update={"roles": {"desk-tester": "clerk"}}))
    assert "desk-tester (clerk)" in window.status.actor_label.text()
    order_id = create_elsewhere(aio, other, "Monitor")
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    select(qtbot, window, order_id)
    assert enabled(window) == {Action.APPROVE: False, Action.REJECT: False, Action.CANCEL: False}  # not alice's

    window.controller.decide(Action.APPROVE, [order_id])  # as a window that still offered it would
    qtbot.waitUntil(lambda: "only a manager may approve" in window.messages.text, timeout=CALL_TIMEOUT)
    assert window.controller.model.status_of(order_id) is OrderStatus.PENDING_APPROVAL


def test_orders_from_elsewhere_appear_and_the_selection_stays(qtbot: QtBot, open_window: OpenWindow, aio: Aio,
                                                              other: OrderService,
                                                              qtmodeltester: ModelTester) -> None:
    window = open_window()
    window.table.set_view(ALL_VIEW)
    first = create_elsewhere(aio, other, "Keyboard")
    wait_status(qtbot, window, first, OrderStatus.PENDING_APPROVAL)
    select(qtbot, window, first)

    with qtbot.waitSignal(window.notifier.announced, timeout=CALL_TIMEOUT) as announced:
        second = create_elsewhere(aio, other, "Mouse")
    assert second in announced.args[1] and "alice" in announced.args[1]
    wait_status(qtbot, window, second, OrderStatus.PENDING_APPROVAL)
    aio(other.approve(first, Actor(name="bob")))
    wait_status(qtbot, window, first, OrderStatus.APPROVED)  # decided elsewhere, seen here

    assert window.table.current_order_id() == first
    qtbot.waitUntil(lambda: window.detail.fields["status"].text() == "Approved")
    assert window.status.refresh_label.text().startswith("Refreshed")
    qtmodeltester.check(window.controller.model)

    window.table.set_view(PENDING_VIEW)  # the approved order leaves the pending view at once
    model = window.controller.model
    assert model.row_of(first) is None and model.row_of(second) is not None


def test_decisions_follow_the_status_and_the_worker_can_be_stopped(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    window.table.set_view(ALL_VIEW)
    assert enabled(window) == {Action.APPROVE: False, Action.REJECT: False, Action.CANCEL: False}
    thread = window.controller.runtime.worker._thread

    window.worker_action.trigger()  # stop: orders now wait in VALIDATING
    qtbot.waitUntil(lambda: window.status.worker_label.text() == "Worker: stopped", timeout=CALL_TIMEOUT)
    assert not window.worker_action.isChecked() and not thread.is_alive()

    order_id = create_in_form(qtbot, window, "Whiteboard")
    assert window.controller.model.status_of(order_id) is OrderStatus.VALIDATING
    assert enabled(window) == {Action.APPROVE: False, Action.REJECT: False, Action.CANCEL: True}

    window.worker_action.trigger()  # start again: validation goes on
    qtbot.waitUntil(lambda: window.status.worker_label.text().startswith("Worker: running"), timeout=CALL_TIMEOUT)
    assert window.worker_action.isChecked()
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    qtbot.waitUntil(lambda: all(enabled(window).values()))

    window.decisions[Action.APPROVE].trigger()
    wait_status(qtbot, window, order_id, OrderStatus.APPROVED)
    qtbot.waitUntil(lambda: not any(enabled(window).values()))


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_detail_pane_shows_history_as_plain_text_and_links_to_the_web_ui(qtbot: QtBot, open_window: OpenWindow,
                                                                         desk_settings: Settings) -> None:
    window = open_window()
    markup = '<b>Bold</b> <a href="http://evil.test">click</a> & <img src=x>'
    order_id = create_in_form(qtbot, window, markup, 7)
    qtbot.waitUntil(lambda: len(window.detail.history_rows()) >= 2, timeout=CALL_TIMEOUT)

    assert window.detail.title.text() == order_id
    for name, label in window.detail.fields.items():
        assert label.textFormat() == Qt.TextFormat.PlainText, name
    assert window.detail.fields["item"].text() == markup
    assert window.detail.fields["created by"].text() == "desk-tester"
    assert window.detail.history_rows()[0][1:] == ("Validating", "desk-tester", "")

    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher, "open")
    try:
        qtbot.mouseClick(window.detail.workflow_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert catcher.urls == [desk_settings.workflow_url(order_id)]
    assert catcher.urls[0].startswith(WEB_UI)


def test_view_columns_and_geometry_persist_across_launches(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    assert window.table.current_view == PENDING_VIEW
    window.table.set_view(ALL_VIEW)
    window.table.view.setColumnWidth(1, 333)
    window.resize(700, 500)
    size = window.size()
    assert size.width() == 700
    close_window(qtbot, window)

    again = open_window(wait_ready=False)
    assert again.table.current_view == ALL_VIEW
    assert again.table.view.columnWidth(1) == 333
    assert again.size() == size


def test_unreachable_temporal_shows_an_actionable_message_with_retry(qtbot: QtBot, open_window: OpenWindow,
                                                                     desk_settings: Settings,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    address = f"127.0.0.1:{free_port()}"
    window = open_window(desk_settings.model_copy(update={"temporal_address": address}), wait_ready=False)
    retry = window.findChild(QPushButton, "retryButton")
    qtbot.waitUntil(retry.isVisible, timeout=CALL_TIMEOUT)
    assert window.messages.severity == Severity.ERROR
    assert f"Temporal at {address} does not answer" in window.messages.text
    assert "ORDER_DESK_TEMPORAL_ADDRESS" in window.messages.text
    assert not window.form.isEnabled() and not window.controller.ready

    def attempts() -> int:
        return sum(record.getMessage().startswith("Start-up failed") for record in caplog.records)

    assert attempts() == 1
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: attempts() == 2, timeout=CALL_TIMEOUT)
    assert retry.isVisible() and f"Temporal at {address} does not answer" in window.messages.text


def test_toolbar_menu_and_context_menu_offer_the_same_decisions(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window(wait_ready=False)
    decisions = [window.decisions[action] for action in Action]
    assert [action.shortcut().toString() for action in decisions] == ["Ctrl+Shift+A", "Ctrl+Shift+R",
                                                                       "Ctrl+Shift+C"]
    orders_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Orders")
    assert set(decisions) <= set(orders_menu.actions())
    assert set(decisions) <= set(window.toolbar.actions())

    window.table.contextMenuRequested.emit(window.table.view.viewport().mapToGlobal(window.table.view.pos()))
    menu = window.findChild(QMenu, "ordersContextMenu")
    qtbot.waitUntil(menu.isVisible)
    assert set(decisions) <= set(menu.actions())
    menu.close()
