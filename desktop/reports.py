"""What the controller reports to the window, as values: a message for the message line, the worker's state.

No widgets here: the controller speaks in these, and the window decides where and how they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP


class Severity(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Message:
    """One message for the message line. ``source`` says who showed it (``boot``, ``create``, ``refresh``…), so
    that source can later clear its own message and nobody else's. A ``background`` message (a poll's warning)
    never hides one that a person's own action showed; ``retry`` offers the Retry button."""

    text: str
    severity: Severity
    source: str
    retry: bool = False
    background: bool = False


class WorkerState(StrEnum):
    """The embedded worker as the status bar names it (translated there, in the status bar's context)."""

    NOT_STARTED = QT_TRANSLATE_NOOP("DeskStatusBar", "not started")
    STARTING = QT_TRANSLATE_NOOP("DeskStatusBar", "starting…")
    STOPPING = QT_TRANSLATE_NOOP("DeskStatusBar", "stopping…")
    RUNNING = QT_TRANSLATE_NOOP("DeskStatusBar", "running")
    STOPPED = QT_TRANSLATE_NOOP("DeskStatusBar", "stopped")
    FAILED = QT_TRANSLATE_NOOP("DeskStatusBar", "stopped (failed)")
    NOT_EMBEDDED = QT_TRANSLATE_NOOP("DeskStatusBar", "not embedded")

    @property
    def settled(self) -> bool:
        """Not on its way from one state to another."""
        return self not in (WorkerState.STARTING, WorkerState.STOPPING)
