"""How late the Qt event loop runs: a timer due every 10 ms, and how late each firing came."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer

INTERVAL_MS = 10


class LoopLag(QObject):
    """A single-shot precise timer re-armed at each firing: lateness = when it fired - when it was due.

    Re-arming (rather than a repeating timer) makes each sample independent: one long stall counts once,
    as the time a click or a repaint would have waited, not as a run of catch-up firings."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.samples: list[float] = []  # seconds late
        self._due = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._fired)

    def start(self) -> None:
        self.samples = []
        self._arm()

    def stop(self) -> list[float]:
        self._timer.stop()
        return self.samples

    def _arm(self) -> None:
        self._due = time.perf_counter() + INTERVAL_MS / 1000
        self._timer.start(INTERVAL_MS)

    def _fired(self) -> None:
        self.samples.append(max(0.0, time.perf_counter() - self._due))
        self._arm()
