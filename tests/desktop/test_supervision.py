"""What the status bar says about what the desk stands on, each from a real cause: its embedded Temporal server
SIGKILLed (and kept from starting again a while by its Web UI's port, taken meanwhile)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.models import Action, OrderStatus
from core.settings import Settings
from desktop.main_window import MainWindow
from desktop.reports import Message, Severity
from desktop.views import ALL_VIEW
from tests.desktop.helpers import BOOT_TIMEOUT, CALL_TIMEOUT, create_in_form, wait_status
from tests.helpers import free_port

OpenWindow = Callable[..., MainWindow]
RESTARTING = "Temporal stopped — restarting…"


def test_a_killed_temporal_server_is_shown_restarted_and_an_order_from_before_is_decided(
        qtbot: QtBot, open_window: OpenWindow, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(_env_file=None, temporal_address="", data_dir=tmp_path / "desk-data",
                        embedded_port=free_port(), embedded_ui_port=free_port(), task_queue=f"desk-{uuid.uuid4()}",
                        actor="desk-tester", language="en")
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
        qtbot.waitUntil(lambda: window.messages.text.startswith("The order was not created: Temporal did not "
                                                                "answer"), timeout=CALL_TIMEOUT)
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
