"""``order-desk`` / ``order-desk gui``: the Qt application on a qasync event loop.

The window shows first; the embedded Temporal server, the service and the worker start in the
window's ``boot()`` on the same loop, so nothing blocks the Qt thread. SIGTERM and SIGINT close the
window the normal way, so the worker and the embedded server stop before the app exits 0.
"""

from __future__ import annotations

import sys

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from core import __version__
from core.runtime import DeskRuntime
from core.settings import Settings
from desktop.i18n import Translations
from desktop.main_window import MainWindow
from desktop.resources import icon, stylesheet
from desktop.stop_signals import StopOnSignal

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
        if not window.isHidden():  # interrupted: still stop what we started
            window.close()
            await window.wait_closed()


def run_gui(settings: Settings) -> int:
    app = application()
    translations = Translations(app)
    window = MainWindow(settings, DeskRuntime(settings), QSettings(), translations)
    stop_on_signal = StopOnSignal(window.close)
    stop_on_signal.install()  # before the loop runs, so asyncio leaves SIGINT to it
    try:
        qasync.run(_main(window))
    except KeyboardInterrupt:
        return 130
    finally:
        stop_on_signal.uninstall()
        translations.release()
        app.setStyleSheet("")
    return 0


if __name__ == "__main__":
    sys.exit(run_gui(Settings()))
