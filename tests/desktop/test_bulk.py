"""Decisions on several orders at once: concurrent, non-blocking, one outcome per order, the rules per order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.models import Action, Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from desktop.bulk_dialog import BulkDialog
from desktop.decision_dialog import DecisionDialog
from desktop.main_window import MainWindow
from desktop.message_bar import Severity
from desktop.views import ALL_VIEW
from tests.desktop.helpers import CALL_TIMEOUT, wait_status

ALICE = Actor(name="alice")
OpenWindow = Callable[..., MainWindow]
Aio = Callable[..., Any]


def create_pending(qtbot: QtBot, window: MainWindow, aio: Aio, service: OrderService, items: list[str],
                   actor: Actor = ALICE) -> list[str]:
    order_ids = [aio(service.create_order(OrderRequest(item=item, quantity=1), actor)) for item in items]
    for order_id in order_ids:
        wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    return order_ids


def confirm(qtbot: QtBot, window: MainWindow, action: Action, reason: str = "") -> BulkDialog:
    """Trigger ``action`` on the selection, answer its dialog, and return the bulk dialog that opens."""
    window.decisions[action].trigger()  # returns at once: the dialog is open(), not exec()
    dialog = window.findChild(DecisionDialog, f"{action.value}Dialog")
    assert dialog is not None and dialog.isVisible()
    dialog.reason_edit.insert(reason)  # as typed: QTest cannot type Vietnamese letters
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(BulkDialog, "bulkDialog") is not None, timeout=CALL_TIMEOUT)
    return window.findChild(BulkDialog, "bulkDialog")


def outcomes(bulk: BulkDialog) -> dict[str, tuple[str, str]]:
    return {order_id: (outcome, reason) for order_id, _item, outcome, reason in bulk.rows()}


def test_bulk_approve_lists_every_outcome_without_blocking_the_window(qtbot: QtBot, open_window: OpenWindow,
                                                                       aio: Aio, other: OrderService) -> None:
    window = open_window()
    window.table.set_view(ALL_VIEW)
    pending = create_pending(qtbot, window, aio, other, ["Laptop", "Màn hình 27 inch", "Bàn phím cơ"])
    [cancelled] = create_pending(qtbot, window, aio, other, ["Ghế xoay"])
    aio(other.cancel(cancelled, ALICE))
    wait_status(qtbot, window, cancelled, OrderStatus.CANCELLED)

    assert window.table.select_orders([cancelled, *pending]) == 4
    assert window.decisions[Action.APPROVE].isEnabled()  # at least one selected order allows it
    bulk = confirm(qtbot, window, Action.APPROVE)

    assert bulk.isVisible() and not bulk.isModal() and QApplication.activeModalWidget() is None
    assert window.form.isEnabled() and window.table.isEnabled()  # the window stays usable meanwhile
    qtbot.waitUntil(lambda: bulk.finished_all, timeout=CALL_TIMEOUT)

    assert bulk.progress.value() == bulk.progress.maximum() == 4
    assert {order_id: outcomes(bulk)[order_id] for order_id in pending} == {
        order_id: ("Approved", "") for order_id in pending}
    assert outcomes(bulk)[cancelled] == ("Refused", "cannot approve an order that is cancelled")
    assert bulk.summary.text() == "Approved: 3. Refused: 1."
    qtbot.waitUntil(lambda: window.messages.text == "Approved: 3. Refused: 1.", timeout=CALL_TIMEOUT)
    assert window.messages.severity == Severity.WARNING
    for order_id in pending:
        assert window.controller.model.status_of(order_id) is OrderStatus.APPROVED  # at once, before the next poll
        assert aio(other.status(order_id)) is OrderStatus.APPROVED
    assert aio(other.status(cancelled)) is OrderStatus.CANCELLED


def test_an_order_decided_elsewhere_while_confirming_keeps_its_row_and_the_counts_agree(
        qtbot: QtBot, open_window: OpenWindow, aio: Aio, other: OrderService) -> None:
    window = open_window()  # the Pending view: an order cancelled elsewhere leaves the table
    orders = create_pending(qtbot, window, aio, other, ["Laptop", "Máy in"])
    assert window.table.select_orders(orders) == 2
    window.decisions[Action.APPROVE].trigger()
    dialog = window.findChild(DecisionDialog, "approveDialog")
    aio(other.cancel(orders[1], ALICE))  # while the confirmation is open
    qtbot.waitUntil(lambda: window.controller.model.row_of(orders[1]) is None, timeout=CALL_TIMEOUT)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(BulkDialog, "bulkDialog") is not None, timeout=CALL_TIMEOUT)
    bulk = window.findChild(BulkDialog, "bulkDialog")
    qtbot.waitUntil(lambda: bulk.finished_all, timeout=CALL_TIMEOUT)

    assert outcomes(bulk) == {orders[0]: ("Approved", ""),
                              orders[1]: ("Refused", "cannot approve an order that is cancelled")}
    assert {row[0]: row[1] for row in bulk.rows()} == {orders[0]: "Laptop", orders[1]: ""}  # not known here now
    qtbot.waitUntil(lambda: window.messages.text == bulk.summary.text() == "Approved: 1. Refused: 1.",
                    timeout=CALL_TIMEOUT)


def test_bulk_reject_gives_every_order_the_one_reason(qtbot: QtBot, open_window: OpenWindow, aio: Aio,
                                                      other: OrderService) -> None:
    window = open_window()
    orders = create_pending(qtbot, window, aio, other, ["Máy chiếu", "Loa hội nghị"])
    assert window.table.select_orders(orders) == 2

    bulk = confirm(qtbot, window, Action.REJECT, "vượt ngân sách quý này")
    qtbot.waitUntil(lambda: bulk.finished_all, timeout=CALL_TIMEOUT)

    assert [outcomes(bulk)[order_id] for order_id in orders] == [("Rejected", "")] * 2
    qtbot.waitUntil(lambda: window.messages.severity == Severity.SUCCESS, timeout=CALL_TIMEOUT)
    assert window.messages.text == "Rejected: 2. Refused: 0."
    for order_id in orders:
        last = aio(other.details(order_id)).history[-1]
        assert (last.status, last.actor, last.reason) == (OrderStatus.REJECTED, "desk-tester",
                                                          "vượt ngân sách quý này")


def test_bulk_decisions_keep_the_four_eyes_rule_per_order(qtbot: QtBot, open_window: OpenWindow, aio: Aio,
                                                          desk_settings: Settings) -> None:
    window = open_window(desk_settings.model_copy(update={"roles": {"desk-tester": "manager", "alice": "clerk"}}))
    rules = window.controller.service  # orders take the four-eyes rule from the settings they are created under
    theirs = create_pending(qtbot, window, aio, rules, ["Tai nghe"])
    mine = create_pending(qtbot, window, aio, rules, ["Chuột không dây"], Actor(name="desk-tester"))
    assert window.table.select_orders(theirs + mine) == 2

    bulk = confirm(qtbot, window, Action.APPROVE)
    qtbot.waitUntil(lambda: bulk.finished_all, timeout=CALL_TIMEOUT)

    assert outcomes(bulk)[theirs[0]] == ("Approved", "")
    assert outcomes(bulk)[mine[0]] == (
        "Refused", "the four-eyes rule: you created this order, so someone else must approve it")
    assert aio(rules.status(mine[0])) is OrderStatus.PENDING_APPROVAL


def test_a_long_item_does_not_push_the_outcome_and_reason_out_of_sight(qtbot: QtBot) -> None:
    from core.models import BulkOutcome

    dialog = BulkDialog(Action.APPROVE, [("order_0000000000aa", "W" * 200), ("order_0000000000bb", "Máy in")])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.record(BulkOutcome(order_id="order_0000000000aa", ok=False, error_type="forbidden", code="four_eyes"),
                  "the four-eyes rule: you created this order, so someone else must approve it")
    table = dialog.table
    for column in (2, 3):  # outcome, reason: in sight without scrolling sideways
        assert 0 <= table.columnViewportPosition(column) < table.viewport().width()
    assert table.item(0, 1).toolTip() == "W" * 200
    assert table.item(0, 3).toolTip().endswith("someone else must approve it")
