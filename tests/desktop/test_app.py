"""``run_gui``: the real entry point boots the window on its own qasync loop and returns once it closed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from core.settings import Settings
from desktop.app import QUIET_FEED_POLL, desk_defaults, run_gui
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


def test_the_window_needs_neither_the_sdk_nor_the_ledger_nor_httpx_to_show(tmp_path: Path) -> None:
    """What ``order-desk`` loads before its window shows (the settings read, the window built as ``run_gui`` builds
    it): the Temporal SDK, SQLAlchemy, the workflow, httpx (about 0.6 s) and the keyring's backends load afterwards
    in threads while the server boots (``core.machinery``, ``desktop.tokens``; ``bench.desk_footprint``: the window
    shown < 1 s). Whatever drags one of them back in front of the window fails here."""
    heavy = ("temporalio", "sqlalchemy", "httpx", "workflows.order_approval", "core.service", "core.ledger",
             "keyring.backends.chainer")  # the keyring's backends: found in a thread once the window shows
    probe = "\n".join([
        "import sys",
        "from PySide6.QtCore import QSettings",
        "from core.settings import Settings",
        "from desktop.app import application, desk_window",
        "from desktop.i18n import Translations",
        "app = application()",
        f"window = desk_window(Settings(), QSettings({str(tmp_path / 'desk.ini')!r}, QSettings.Format.IniFormat), "
        "Translations(app))",
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))",
    ])
    env = {name: value for name, value in os.environ.items() if not name.startswith("ORDER_DESK_")}
    env.update(QT_QPA_PLATFORM="offscreen", ORDER_DESK_DATA_DIR=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env,
                            cwd=Path(__file__).parents[2]).stdout.strip()
    assert loaded == "", f"loaded before the window: {loaded}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's display variables")
def test_with_no_display_the_desk_says_so_in_one_line_instead_of_aborting(tmp_path: Path) -> None:
    """Qt aborted the process (exit 134) advising a reinstall; a person on a server learns of ``serve`` instead."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("ORDER_DESK_") and name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(ORDER_DESK_DATA_DIR=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    ran = subprocess.run([sys.executable, "-m", "core.cli"], capture_output=True, text=True, env=env, timeout=60,
                         cwd=Path(__file__).parents[2])
    assert ran.returncode == 2, ran.stderr
    [line] = ran.stderr.strip().splitlines()
    assert line.startswith("order-desk: there is no display") and "order-desk serve" in line
    env["ORDER_DESK_APPROVAL_REMINDER"] = "-5"  # a setting refused: said on stderr, no message box Qt cannot show
    ran = subprocess.run([sys.executable, "-m", "core.cli"], capture_output=True, text=True, env=env, timeout=60,
                         cwd=Path(__file__).parents[2])
    assert ran.returncode == 2 and ran.stderr.startswith("order-desk: ORDER_DESK_APPROVAL_REMINDER"), ran.stderr


def test_only_a_desk_on_its_own_embedded_server_and_ledger_polls_slowly_when_quiet(desk_settings: Settings) -> None:
    """Its own worker's writes wake the feed at once (``core.change_feed``); on a shared Temporal or database other
    processes write too, so there the looks stay at ``ORDER_DESK_EVENTS_POLL``; what the person set stands."""
    own = desk_settings.model_copy(update={"temporal_address": "", "database_url": None})
    assert desk_defaults(own).events_poll_quiet == QUIET_FEED_POLL
    assert desk_defaults(desk_settings).events_poll_quiet is None  # ORDER_DESK_TEMPORAL_ADDRESS: shared
    shared_ledger = own.model_copy(update={"database_url": "postgresql://ledger.example/orders"})
    assert desk_defaults(shared_ledger).events_poll_quiet is None
    assert desk_defaults(own.model_copy(update={"events_poll_quiet": 5.0})).events_poll_quiet == 5.0
