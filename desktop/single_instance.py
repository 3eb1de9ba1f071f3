"""One desk per data directory: a second start brings the running window to the front and exits.

Two desks on one data directory would share one embedded Temporal server, and the second would keep saying its
worker runs after the first took the server away on closing. The usual Qt idiom keeps one: a ``QLockFile`` in the
data directory says who owns it, and a ``QLocalServer`` named after the directory lets a second start ask that
owner to show itself. A lock left by a desk that crashed is stale (its process is gone) and is taken over.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

LOCK_NAME = "order-desk.lock"
SHOW = b"show\n"
SHOWN = b"shown\n"
ANSWER_TIMEOUT = 5.0  # seconds a second start waits for the first: it may be starting up itself


def server_name(data_dir: Path) -> str:
    """The local socket's name: one per data directory (resolved, so two spellings of it meet)."""
    digest = hashlib.sha256(str(data_dir.expanduser().resolve()).encode()).hexdigest()[:16]
    return f"order-desk-{digest}"


class SingleInstance(QObject):
    """``claim()`` once at start; the owner hears ``showRequested`` whenever another start asks for it."""

    showRequested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.name = server_name(data_dir)
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """Become the data directory's desk, or find it taken (False). A stale lock is taken over."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = QLockFile(str(self.data_dir / LOCK_NAME))
        lock.setStaleLockTime(0)  # stale only when its process is gone, never merely because the desk ran long
        if not lock.tryLock(0):
            if lock.error() is QLockFile.LockError.LockFailedError:
                return False
            log.warning("Cannot lock %s (%s): a second desk on this data directory will not be noticed",
                        self.data_dir / LOCK_NAME, lock.error().name)
            return True
        self._lock = lock
        QLocalServer.removeServer(self.name)  # a crashed owner's socket file: ours now
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("Cannot listen on %s (%s): a second start will not bring this window forward",
                        self.name, server.errorString())
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda socket=socket: self._read(socket))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if socket.canReadLine() and bytes(socket.readLine().data()) == SHOW:
            log.info("Another start on %s: bringing this window to the front", self.data_dir)
            self.showRequested.emit()
            socket.write(SHOWN)
            socket.flush()

    def ask_owner_to_show(self, timeout: float = ANSWER_TIMEOUT) -> bool:
        """From a second start, before its event loop runs: ask the owner to show itself; True once it said so.
        The owner may have only just taken the lock and not be listening yet, so this tries until ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(500):
                socket.write(SHOW)
                socket.waitForBytesWritten(1000)
                while not socket.canReadLine() and socket.waitForReadyRead(_ms_left(deadline)):
                    pass
                answered = socket.canReadLine() and bytes(socket.readLine().data()) == SHOWN
                socket.disconnectFromServer()
                if answered:
                    return True
            time.sleep(0.1)
        return False


def _ms_left(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))


def bring_to_front(window: QWidget) -> None:
    """Show, un-minimise, raise and activate ``window`` (the window manager may still only flash it)."""
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
