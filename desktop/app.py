"""``order-desk`` / ``order-desk gui``: the Qt application on a qasync event loop.

The window shows first; the embedded Temporal server, the service and the worker start in the
window's ``boot()`` on the same loop, so nothing blocks the Qt thread.
"""

from __future__ import annotations

import sys

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from core import __version__
from core.runtime import DeskRuntime
from core.settings import Settings
from desktop.main_window import MainWindow
from desktop.resources import icon, stylesheet

ORGANIZATION = "OrderDesk"
APPLICATION = "Order Desk"


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("order-desk")
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(stylesheet())
    # The window closes itself once the worker and server have stopped; main() then ends the loop.
    app.setQuitOnLastWindowClosed(False)
    return app


async def _main(window: MainWindow) -> None:
    window.show()
    window.start()
    try:
        await window.wait_closed()
    finally:
        if not window.isHidden():  # interrupted (Ctrl+C in the terminal): still stop what we started
            window.close()
            await window.wait_closed()


def run_gui(settings: Settings) -> int:
    app = application()
    window = MainWindow(settings, DeskRuntime(settings), QSettings())
    try:
        qasync.run(_main(window))
    except KeyboardInterrupt:
        return 130
    finally:
        app.setStyleSheet("")
    return 0


if __name__ == "__main__":
    sys.exit(run_gui(Settings()))
