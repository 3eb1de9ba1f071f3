"""``order-desk`` / ``order-desk gui``: the Qt application on a qasync event loop, one per data directory.

A second start on the same data directory brings the first one's window to the front and exits 0. The window
shows first; its controller then signs in to a team server (``ORDER_DESK_SERVER_URL``, or the one remembered
with its token in the keyring) or starts the embedded Temporal server, the service and the worker, on the same
loop, so nothing blocks the Qt thread. Once they run, the interpreter is tuned for a Qt loop that
shares its process with the worker's threads. SIGTERM and SIGINT close the window the normal way, so the worker
and the embedded server stop before the app exits 0.
"""

from __future__ import annotations

import gc
import logging
import sys

import qasync
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication

from core import __version__
from core.runtime import DeskRuntime
from core.settings import Settings
from desktop.controller import DeskController
from desktop.display import no_display
from desktop.i18n import Translations
from desktop.main_window import MainWindow
from desktop.refresher import RESYNC_INTERVAL
from desktop.resources import icon, stylesheet
from desktop.session import startup_login
from desktop.single_instance import SingleInstance, bring_to_front
from desktop.stop_signals import StopOnSignal
from desktop.tokens import TokenStore
from desktop.window_state import WindowState

log = logging.getLogger(__name__)

ORGANIZATION = "OrderDesk"
APPLICATION = "Order Desk"
FULL_COLLECTION_EVERY = 3  # middle-generation collections (CPython's default: 10)
GIL_SWITCH_INTERVAL = 0.001  # seconds (CPython's default: 0.005)
QUIET_FEED_POLL = 2.0  # seconds: the desk's look at the change feed while nothing changes (its worker's writes wake it)


def share_the_process() -> None:
    """Start-up is done (``DeskRuntime.start`` froze what it built): tune the interpreter for a Qt loop that
    shares its process, and the GIL, with the embedded worker's threads. Measured with ``bench.gui``."""
    # The worker's garbage (the sandbox's module copies of each workflow run) goes only in full collections,
    # whose pause grows with what piled up since the last one: more often, they pause about half as long
    # (longest 124 ms -> 56-86 ms while 300 orders flow) for about the same time in all.
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
    # Each call from Qt into Python takes the GIL and, while a worker thread runs Python, waits for it up to
    # the switch interval: the loop's median lag followed it (5 ms -> 1 ms with a busy thread).
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)


def _share_once_ready(ready: bool) -> None:
    if ready:
        share_the_process()


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


def desk_defaults(settings: Settings) -> Settings:
    """The desk's own default over the settings: on its embedded server and its own ledger, where its worker does
    the writing and wakes the change feed itself, the looks at the feed slow down to one every ``QUIET_FEED_POLL``
    seconds while nothing changes (``core.change_feed``: another process's writes bring them back to full speed).
    Not on a shared Temporal or database, and never over what the person set."""
    if "events_poll_quiet" in settings.model_fields_set or not settings.embedded or settings.database_url:
        return settings
    return settings.model_copy(update={"events_poll_quiet": QUIET_FEED_POLL})


def desk_window(settings: Settings, store: QSettings, translations: Translations, runtime: DeskRuntime | None = None,
                *, refresh_interval: float = RESYNC_INTERVAL, tokens: TokenStore | None = None,
                follow: bool = True) -> MainWindow:
    """The window over its controller, as ``order-desk`` opens it (the tests and the bench open it so too): signed
    in to a team server when the settings or the last sign-in say so, else on the embedded default.
    ``refresh_interval`` is the full re-list's, the safety net under the change feed (``follow`` False: the only
    way the table learns of changes)."""
    tokens = tokens or TokenStore()
    settings = desk_defaults(settings)
    state = WindowState(store)
    login = startup_login(settings, state.server_url, tokens, state.signed_out)
    controller = DeskController(settings, runtime or DeskRuntime(settings), tokens=tokens, login=login,
                                refresh_interval=refresh_interval, follow=follow)
    controller.readyChanged.connect(_share_once_ready)
    return MainWindow(controller, store, translations)


class FirstExpose(QObject):
    """Logs "Window shown" when the window is first on screen (its first expose, which the first paint follows):
    the moment ``bench.desk_footprint`` times a start by, beside the "Ready" line once the runtime is up."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Expose and getattr(watched, "isExposed", lambda: False)():
            log.info("Window shown")
            watched.removeEventFilter(self)
        return False


async def _main(window: MainWindow) -> None:
    window.show()
    exposed = FirstExpose(window)
    if (handle := window.windowHandle()) is not None:
        handle.installEventFilter(exposed)
    window.controller.start()
    try:
        await window.wait_closed()
    finally:
        if not window.isHidden():  # interrupted: still stop what we started
            window.close()
            await window.wait_closed()


def run_gui(settings: Settings) -> int:
    why = no_display()
    if why is not None:
        print(f"order-desk: {why}", file=sys.stderr)
        return 2
    app = application()
    instance = SingleInstance(settings.data_dir)
    if not instance.claim():
        if instance.ask_owner_to_show():
            log.info("Order Desk already runs on %s: brought its window to the front", settings.data_dir)
            return 0
        print(f"order-desk: another Order Desk holds {settings.data_dir} but does not answer; close it, or set "
              f"ORDER_DESK_DATA_DIR to another directory", file=sys.stderr)
        return 1
    translations = Translations(app)
    window = desk_window(settings, QSettings(), translations)
    instance.showRequested.connect(lambda: bring_to_front(window))
    stop_on_signal = StopOnSignal(window.close)
    stop_on_signal.install()  # before the loop runs, so asyncio leaves SIGINT to it
    try:
        qasync.run(_main(window))
    except KeyboardInterrupt:
        return 130
    finally:
        stop_on_signal.uninstall()
        instance.release()
        translations.release()
        app.setStyleSheet("")
    return 0


if __name__ == "__main__":
    sys.exit(run_gui(Settings()))
