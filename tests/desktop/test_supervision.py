"""What the status bar says about what the desk stands on, each from a real cause: its embedded Temporal server
SIGKILLed (and kept from starting again a while by its Web UI's port, taken meanwhile), and orders whose ledger
write keeps failing."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.models import Action, Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from desktop.main_window import MainWindow
from desktop.reports import Message, Severity
from desktop.status_bar import DeskStatusBar
from desktop.views import ALL_VIEW
from tests.desktop.helpers import BOOT_TIMEOUT, CALL_TIMEOUT, close_window, create_in_form, wait_status
from tests.desktop.test_embedded_lifecycle import temporal_children, worker_threads
from tests.helpers import free_port
from tests.test_hardening_ledger_failures import ALLOW, REFUSE

OpenWindow = Callable[..., MainWindow]
RESTARTING = "Temporal stopped — restarting…"


def test_a_killed_temporal_server_is_shown_restarted_and_an_order_from_before_is_decided(
        qtbot: QtBot, open_window: OpenWindow, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(_env_file=None, temporal_address="", data_dir=tmp_path / "desk-data",
                        embedded_port=free_port(), embedded_ui_port=free_port(), task_queue=f"desk-{uuid.uuid4()}",
                        actor="desk-tester", language="en")
    workers_before = worker_threads()
    window = open_window(settings)
    window.table.set_view(ALL_VIEW)
    messages: list[Message] = []
    window.controller.message.connect(messages.append)
    before = create_in_form(qtbot, window, "Ordered before the crash")
    wait_status(qtbot, window, before, OrderStatus.PENDING_APPROVAL)
    status = window.status
    crashed = window.controller.runtime.server.process
    assert crashed is not None

    crashed.kill()  # SIGKILL, as the OOM killer would
    crashed.wait()
    squatter = socket.create_server(("127.0.0.1", settings.embedded_ui_port))  # its UI's port: it cannot start
    try:
        qtbot.waitUntil(lambda: status.server_label.text() == RESTARTING, timeout=CALL_TIMEOUT)
        assert status.worker_label.text() == "Worker: waiting for Temporal"
        assert "exited with code -9" in status.server_label.toolTip()

        window.form.item_edit.setText("Ordered while it is down")  # a command meanwhile: its own message
        qtbot.keyClick(window.form.item_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.messages.text.startswith(  # at once, saying why: nothing is sent meanwhile
            f"The order was not created: Temporal at 127.0.0.1:{settings.embedded_port} is not available (the "
            f"embedded Temporal server exited with code -9)"), timeout=CALL_TIMEOUT)
        assert window.messages.severity == Severity.ERROR
        assert (status.server_label.text(), status.worker_label.text()) == (RESTARTING, "Worker: waiting for Temporal")
        assert not window.controller.worker_running
    finally:
        squatter.close()

    port = settings.embedded_port
    qtbot.waitUntil(lambda: status.server_label.text() == f"Temporal: 127.0.0.1:{port}", timeout=BOOT_TIMEOUT)
    qtbot.waitUntil(lambda: status.worker_label.text() == "Worker: running", timeout=CALL_TIMEOUT)
    assert window.controller.runtime.server.process.pid != crashed.pid
    assert window.controller.worker_running and status.server_label.toolTip() == ""

    assert window.table.select_order(before)
    window.decisions[Action.APPROVE].trigger()
    wait_status(qtbot, window, before, OrderStatus.APPROVED)
    after = create_in_form(qtbot, window, "Ordered after the restart")
    wait_status(qtbot, window, after, OrderStatus.PENDING_APPROVAL)  # the worker validated it; the table shows it

    said = [(message.source, message.severity) for message in messages if message.source == "temporal"]
    assert said[0] == ("temporal", Severity.WARNING) and said[-1] == ("temporal", Severity.SUCCESS)
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []  # no traceback anywhere

    restarted = window.controller.runtime.server.process
    close_window(qtbot, window)
    assert restarted.poll() is not None and temporal_children(settings.data_dir) == []
    assert worker_threads() - workers_before == set()  # neither the new worker nor the one of the server that died


def test_orders_stuck_on_the_ledger_are_counted_in_the_status_bar_until_they_write(
        qtbot: QtBot, open_window: OpenWindow, other: OrderService, desk_settings: Settings, aio: Callable) -> None:
    window = open_window(refresh_interval=0.2)
    stuck = window.status.stuck_label
    assert stuck.isHidden()
    with contextlib.closing(sqlite3.connect(desk_settings.data_dir / "ledger.db", isolation_level=None)) as db:
        for statement in REFUSE["sqlite"]:
            db.execute(statement)
        poisoned = aio(other.create_order(OrderRequest(item="poison pill", quantity=1), Actor(name="linh")))

        qtbot.waitUntil(lambda: stuck.isVisible(), timeout=CALL_TIMEOUT)
        assert stuck.text() == "1 order stuck on the ledger"
        assert stuck.toolTip().endswith(f":\n{poisoned}")

        for statement in ALLOW["sqlite"]:
            db.execute(statement)
    qtbot.waitUntil(lambda: stuck.isHidden(), timeout=3 * CALL_TIMEOUT)  # retried by itself, written, gone
    wait_status(qtbot, window, poisoned, OrderStatus.PENDING_APPROVAL)


def test_the_stuck_count_is_worded_for_many_and_lists_the_first_twenty(qtbot: QtBot) -> None:
    status = DeskStatusBar()
    qtbot.addWidget(status)
    orders = [f"order_{number:012x}" for number in range(23)]

    status.set_stuck(orders)

    assert status.stuck_label.text() == "23 orders stuck on the ledger"
    tip = status.stuck_label.toolTip()
    assert orders[19] in tip and orders[20] not in tip and tip.endswith("… and 3 more")
    status.set_stuck([])
    assert status.stuck_label.isHidden()
