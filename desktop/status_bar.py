"""The status bar: start-up progress, who acts, which Temporal, the worker's state, the last refresh."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget


def _label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class DeskStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.progress_label = _label(self, "bootLabel")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("bootProgress")
        self.progress.setRange(0, 0)  # busy: how long the server takes to start is unknown
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.actor_label = _label(self, "actorLabel")
        self.server_label = _label(self, "serverLabel")
        self.worker_label = _label(self, "workerLabel")
        self.refresh_label = _label(self, "refreshLabel")
        self.addWidget(self.progress_label, 1)
        self.addWidget(self.progress)
        for label in (self.actor_label, self.server_label, self.worker_label, self.refresh_label):
            self.addPermanentWidget(label)
        self.set_progress(None)
        self.refresh_label.setText("Not refreshed yet")

    def set_progress(self, text: str | None) -> None:
        """Busy with ``text``; None when idle."""
        self.progress_label.setText(text or "")
        self.progress.setVisible(text is not None)

    def set_actor(self, text: str) -> None:
        self.actor_label.setText(text)

    def set_server(self, text: str) -> None:
        self.server_label.setText(text)

    def set_worker(self, text: str, detail: str = "") -> None:
        self.worker_label.setText(f"Worker: {text}")
        self.worker_label.setToolTip(detail)

    def set_refreshed(self, moment: datetime) -> None:
        self.refresh_label.setText(f"Refreshed {moment.astimezone().strftime('%H:%M:%S')}")

    def set_refresh_failed(self) -> None:
        if not self.refresh_label.text().endswith("(failing)"):
            self.refresh_label.setText(f"{self.refresh_label.text()} (failing)")
