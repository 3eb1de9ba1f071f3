"""``run_gui``: the real entry point boots the window on its own qasync loop and returns once it closed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from core.settings import Settings
from desktop.app import run_gui
from desktop.main_window import MainWindow


@pytest.fixture
def own_loop_allowed(qloop: qasync.QEventLoop) -> Iterator[None]:
    """run_gui starts its own loop, as ``order-desk`` does; the tests' loop steps aside meanwhile."""
    app = QApplication.instance()
    asyncio.events._set_running_loop(None)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(qloop)
        app.setQuitOnLastWindowClosed(True)
        app.setStyleSheet("")


def test_run_gui_boots_then_returns_when_the_window_is_closed(own_loop_allowed: None,
                                                               desk_settings: Settings) -> None:
    seen: list[MainWindow] = []

    def close_once_ready() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].controller.ready and windows[0].controller.worker_running:
            seen.append(windows[0])
            windows[0].close()
        else:
            QTimer.singleShot(50, close_once_ready)

    QTimer.singleShot(0, close_once_ready)
    assert run_gui(desk_settings) == 0
    assert len(seen) == 1
    assert seen[0].isHidden() and not seen[0].controller.worker_running and seen[0].controller.runtime.service is None


def test_the_window_needs_neither_the_sdk_nor_the_ledger_nor_httpx_to_show() -> None:
    """What ``order-desk`` imports before its window shows: the Temporal SDK, SQLAlchemy, the workflow and httpx
    (about 0.6 s) load in threads afterwards, while the server boots (``bench.desk_footprint``: the window shown
    < 1 s). An import that drags one of them back in front of the window fails here."""
    heavy = ("temporalio", "sqlalchemy", "httpx", "workflows.order_approval", "core.service", "core.ledger")
    probe = ("import sys, desktop.app, desktop.main_window, desktop.controller; "
             f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parents[2]).stdout.strip()
    assert loaded == "", f"loaded before the window: {loaded}"
