"""SIGTERM and SIGINT close the desk the normal way: the window stops polling, the worker and the embedded
server, and the app exits 0.

Python runs a signal handler only when the interpreter next gets control, and Qt's event loop can sit in C++
for as long as nothing happens. So the signal also wakes Qt: ``signal.set_wakeup_fd`` writes its number to a
socket that a ``QSocketNotifier`` watches. A second signal while closing ends the app at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopOnSignal(QObject):
    def __init__(self, stop: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = stop
        self._stopping = False
        self._previous: dict[int, Any] = {}
        self._previous_fd: int | None = None
        self._sockets: tuple[socket.socket, socket.socket] | None = None
        self._notifier: QSocketNotifier | None = None

    def install(self) -> None:
        """From the main thread, with a Qt event loop about to run."""
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        writer.setblocking(False)
        self._sockets = (reader, writer)
        self._notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    def uninstall(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
        if self._sockets is not None:
            signal.set_wakeup_fd(self._previous_fd if self._previous_fd is not None else -1)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._sockets is not None:
            for sock in self._sockets:
                sock.close()
            self._sockets = None

    def _drain(self) -> None:
        """Entering Python here is what runs the pending handler; the bytes themselves are not needed."""
        if self._sockets is not None:
            with contextlib.suppress(OSError):
                while self._sockets[0].recv(256):
                    pass

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self._stopping:
            log.warning("%s again while closing: quitting at once", name)
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        self._stopping = True
        log.info("%s received: closing the desk", name)
        QTimer.singleShot(0, self._stop)
