"""Every way a command can fail shows in the window (message line or detail pane), never as a traceback. Each
failure has a real cause: a broken ledger, a stopped worker, Temporal gone from the network, a path that cannot
be written."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.ledger import Ledger
from core.models import Action, Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from desktop.main_window import MainWindow
from desktop.message_bar import MessageBar
from desktop.reports import Message, Severity
from desktop.views import ALL_VIEW
from tests.desktop.helpers import CALL_TIMEOUT, create_in_form, wait_status
from tests.desktop.tcp_proxy import TcpRelay

OpenWindow = Callable[..., MainWindow]
Aio = Callable[..., Any]
NO_WORKER_VI = ("không có worker nào nhận quyết định kịp thời; quyết định vẫn có thể được áp dụng khi có worker chạy "
                "(hãy xem lại đơn trước khi quyết định lại); worker có đang chạy không?")


@pytest.fixture
def relay(temporal_address: str) -> Iterator[TcpRelay]:
    """The session's Temporal server behind a relay this test can cut."""
    relay = TcpRelay(temporal_address)
    yield relay
    relay.cut()


def rename_orders_table(settings: Settings, old: str, new: str) -> None:
    with contextlib.closing(sqlite3.connect(settings.data_dir / "ledger.db", timeout=30, isolation_level=None)) as db:
        db.execute(f"ALTER TABLE {old} RENAME TO {new}")


def set_worker(qtbot: QtBot, window: MainWindow, running: bool) -> None:
    """Through the Worker menu, as a person would."""
    assert window.worker_action.isChecked() != running
    window.worker_action.trigger()
    expected = "Worker: running" if running else "Worker: stopped"
    qtbot.waitUntil(lambda: window.status.worker_label.text() == expected, timeout=CALL_TIMEOUT)


def test_a_failed_refresh_warns_and_clears_once_the_ledger_answers_again(qtbot: QtBot, open_window: OpenWindow,
                                                                         desk_settings: Settings,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="desktop.refresher")
    window = open_window(refresh_interval=0.2)
    rename_orders_table(desk_settings, "orders", "orders_away")  # the list's table is gone
    try:
        qtbot.waitUntil(lambda: window.messages.source == "refresh", timeout=CALL_TIMEOUT)
        assert window.messages.severity == Severity.WARNING
        assert window.messages.text.startswith("Refreshing the orders failed: ")
        assert "no such table: orders" in window.messages.text and window.messages.text.endswith("Retrying…")
        assert window.status.refresh_label.text().endswith(": the list may be out of date")
        assert window.status.refresh_label.property("fieldError")  # in the warning's colour
    finally:
        rename_orders_table(desk_settings, "orders_away", "orders")

    qtbot.waitUntil(lambda: window.messages.text == "", timeout=CALL_TIMEOUT)  # the poll recovered by itself
    assert not window.status.refresh_label.text().endswith("out of date")
    assert not window.status.refresh_label.property("fieldError")
    failures = [record.getMessage() for record in caplog.records
                if record.getMessage().startswith("Refreshing the orders failed")]
    assert len(failures) == len(set(failures))  # each cause once, not every 0.2 s while it lasts
    assert any(record.getMessage() == "Refreshing the orders works again" for record in caplog.records)


def test_a_polls_warning_never_hides_what_a_persons_own_action_reported(qtbot: QtBot) -> None:
    bar = MessageBar()
    qtbot.addWidget(bar)
    bar.report(Message("order_1: cannot approve an order that is cancelled", Severity.WARNING, "decision"))
    bar.report(Message("Refreshing the orders failed: disk I/O error. Retrying…", Severity.WARNING, "refresh",
                       background=True))
    assert bar.source == "decision" and bar.text.startswith("order_1")

    bar.clear()  # dismissed with ×: the next poll's warning shows
    bar.report(Message("Refreshing the orders failed: disk I/O error. Retrying…", Severity.WARNING, "refresh",
                       background=True))
    assert bar.source == "refresh"


def test_a_failed_detail_load_is_noted_in_the_detail_pane(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    set_worker(qtbot, window, running=False)  # nobody answers the workflow's query
    order_id = create_in_form(qtbot, window, "Docking station")

    assert window.detail.title.text() == order_id  # the summary at once
    qtbot.waitUntil(window.detail.history_note.isVisible, timeout=CALL_TIMEOUT)
    assert window.detail.history_note.text().startswith("History unavailable: no worker answered")
    assert window.detail.history_rows() == [] and window.messages.source != "details"

    set_worker(qtbot, window, running=True)  # the order moves on, and its details load again
    qtbot.waitUntil(lambda: not window.detail.history_note.isVisible(), timeout=CALL_TIMEOUT)
    assert window.detail.history_rows()[0][1:] == ("Validating", "desk-tester", "")


def test_details_of_an_order_whose_worker_was_stopped_say_so_in_words_without_a_traceback(
        qtbot: QtBot, open_window: OpenWindow, caplog: pytest.LogCaptureFixture) -> None:
    """The server then refuses the query at once ("no poller seen ..."): Temporal's own text reached the pane, and
    a traceback the log."""
    window = open_window()
    order_id = create_in_form(qtbot, window, "Docking station")
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    set_worker(qtbot, window, running=False)
    window.table.set_view(ALL_VIEW)
    assert window.table.select_order(order_id)
    window.controller.set_current(order_id)
    qtbot.waitUntil(window.detail.history_note.isVisible, timeout=CALL_TIMEOUT)
    assert window.detail.history_note.text() == "History unavailable: no worker answered; is a worker running?"
    assert "Traceback" not in caplog.text and "poller" not in window.detail.history_note.text()


def test_a_failed_create_says_why_and_keeps_what_was_typed(qtbot: QtBot, open_window: OpenWindow,
                                                            desk_settings: Settings, relay: TcpRelay) -> None:
    window = open_window(desk_settings.model_copy(update={"temporal_address": relay.address}), with_worker=False)
    relay.cut()  # Temporal is gone from the network
    window.form.item_edit.setText("Projector")
    window.form.quantity_edit.setValue(3)
    qtbot.keyClick(window.form.item_edit, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window.messages.source == "create", timeout=CALL_TIMEOUT)
    assert window.messages.severity == Severity.ERROR
    assert window.messages.text.startswith("The order was not created: Temporal did not answer")
    assert (window.form.item_edit.text(), window.form.quantity_edit.text()) == ("Projector", "3")
    assert window.form.submit_button.isEnabled()  # ready to try again
    assert window.controller.model.order_ids() == []


def test_a_decision_with_no_worker_running_says_so_in_the_desks_language(
        qtbot: QtBot, open_window: OpenWindow, aio: Aio, other: OrderService, desk_settings: Settings) -> None:
    window = open_window(desk_settings.model_copy(update={"language": "vi"}))
    window.table.set_view(ALL_VIEW)
    order_id = aio(other.create_order(OrderRequest(item="Máy chiếu", quantity=1), Actor(name="linh")))
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    assert window.table.select_order(order_id)
    window.worker_action.trigger()
    qtbot.waitUntil(lambda: window.status.worker_label.text() == "Bộ xử lý: đã dừng", timeout=CALL_TIMEOUT)

    window.decisions[Action.APPROVE].trigger()  # the service gives up after about 15 s

    qtbot.waitUntil(lambda: window.messages.source == "decision", timeout=CALL_TIMEOUT)
    assert window.messages.severity == Severity.ERROR
    assert window.messages.text == f"{order_id}: {NO_WORKER_VI}"  # by its code, not the service's English
    assert window.controller.model.status_of(order_id) is OrderStatus.PENDING_APPROVAL
    assert window.decisions[Action.APPROVE].isEnabled()  # free to try again

    window.worker_action.trigger()  # a worker again, so the order can be settled
    qtbot.waitUntil(lambda: window.status.worker_label.text() == "Bộ xử lý: đang chạy", timeout=CALL_TIMEOUT)


def test_a_failed_export_says_so_and_writes_nothing(qtbot: QtBot, open_window: OpenWindow, tmp_path: Path) -> None:
    window = open_window()
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("a file, where the export's folder should be")
    target = not_a_folder / "orders.csv"  # unwritable, even for root

    window.controller.export(target, window.table.current_filter())

    qtbot.waitUntil(lambda: window.messages.source == "export", timeout=CALL_TIMEOUT)
    assert window.messages.severity == Severity.ERROR
    assert window.messages.text.startswith(f"The export failed, nothing was written to {target}: ")
    assert "Not a directory" in window.messages.text
    assert not_a_folder.read_text() == "a file, where the export's folder should be"
    assert window.export_action.isEnabled() and not window.status.progress.isVisible()


def test_a_failed_worker_start_is_shown_and_the_status_says_failed(qtbot: QtBot, open_window: OpenWindow,
                                                                   desk_settings: Settings, relay: TcpRelay) -> None:
    window = open_window(desk_settings.model_copy(update={"temporal_address": relay.address}))
    set_worker(qtbot, window, running=False)
    relay.cut()

    window.worker_action.trigger()

    qtbot.waitUntil(lambda: window.messages.source == "worker", timeout=CALL_TIMEOUT)
    assert window.messages.severity == Severity.ERROR
    assert window.messages.text.startswith("Could not start the embedded worker: ")
    assert window.status.worker_label.text() == "Worker: stopped (failed)"
    assert not window.worker_action.isChecked() and window.worker_action.isEnabled()
    assert not window.controller.worker_running


def test_a_ledger_a_newer_order_desk_migrated_is_said_as_such(qtbot: QtBot, open_window: OpenWindow,
                                                              desk_settings: Settings) -> None:
    """Going back to an older desk after a newer one upgraded its ledger: the window said "The embedded Temporal
    server could not start" (Temporal was fine) and to set ORDER_DESK_TEMPORAL_ADDRESS (seen under Xvfb)."""
    ledger_db = desk_settings.data_dir / "ledger.db"
    Ledger(desk_settings.ledger_url).close()
    with contextlib.closing(sqlite3.connect(ledger_db)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")

    window = open_window(desk_settings, wait_ready=False)

    qtbot.waitUntil(lambda: "0099" in window.messages.text, timeout=CALL_TIMEOUT)
    assert window.messages.severity == Severity.ERROR
    assert window.messages.text.startswith("Order Desk cannot open this desk's ledger: the ledger is at revision "
                                           "0099, which this Order Desk"), window.messages.text
    assert "Temporal" not in window.messages.text
