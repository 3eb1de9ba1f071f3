"""The window on the embedded default: a failed start offers Retry, and closing leaves nothing behind."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from core.models import OrderStatus
from core.settings import Settings
from desktop.main_window import MainWindow
from tests.desktop.helpers import BOOT_TIMEOUT, close_window, create_in_form, wait_status
from tests.helpers import free_port

WORKER_THREAD = "order-desk-worker"


def temporal_children(data_dir: Path) -> list[int]:
    """PIDs of our child processes running a Temporal server on ``data_dir``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent == os.getpid() and "temporal" in command and str(data_dir) in command:
            found.append(int(entry.name))
    return found


def worker_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == WORKER_THREAD and thread.is_alive()}


def test_embedded_start_retries_then_closing_stops_worker_and_server(
        qtbot: QtBot, open_window: Callable[..., MainWindow], tmp_path: Path) -> None:
    data_dir = tmp_path / "desk-data"
    settings = Settings(_env_file=None, temporal_address="", data_dir=data_dir, embedded_port=free_port(),
                        embedded_ui_port=free_port(), task_queue=f"desk-{uuid.uuid4()}", actor="desk-tester")
    workers_before = worker_threads()
    squatter = socket.create_server(("127.0.0.1", settings.embedded_port))  # something that is not Temporal
    try:
        window = open_window(settings, wait_ready=False)
        assert window.isVisible()  # at once, before anything has started
        retry = window.findChild(QPushButton, "retryButton")
        qtbot.waitUntil(retry.isVisible, timeout=BOOT_TIMEOUT)
        assert "taken by something that is not Temporal" in window.messages.text
        assert "ORDER_DESK_EMBEDDED_PORT" in window.messages.text
    finally:
        squatter.close()

    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.ready and window.controller.worker_running, timeout=2 * BOOT_TIMEOUT)
    assert window.status.server_label.text() == f"Temporal: 127.0.0.1:{settings.embedded_port}"
    order_id = create_in_form(qtbot, window, "Embedded desk chair")
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    server = window.controller.runtime.server.process
    assert server is not None and temporal_children(data_dir) == [server.pid]
    assert len(worker_threads() - workers_before) == 1

    close_window(qtbot, window)

    assert server.poll() is not None
    assert temporal_children(data_dir) == []
    assert worker_threads() - workers_before == set()
    assert window.controller.runtime.worker is None and window.controller.runtime.service is None
