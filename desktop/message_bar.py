"""The window's message line: errors, refusals and progress shown in place, never in a modal box."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QWidget

from desktop import formatting
from desktop.reports import Message, Severity


class MessageBar(QFrame):
    """One message at a time. ``source`` tags who showed it, so a refresh that recovers clears its
    own warning without wiping a refusal the person has not read yet."""

    retryRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.source: str | None = None
        self._text = ""
        self._label = QLabel(self)
        self._label.setObjectName("messageLabel")
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setWordWrap(True)
        # A word longer than the window (an item typed without spaces) must not widen the window past the screen:
        # the label takes the width it is given and clips such a word (whole in the tooltip). Its text stays exactly
        # as given, so what a person copies from it is what was said.
        self._label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._retry = QPushButton(self)
        self._retry.setObjectName("retryButton")
        self._retry.clicked.connect(self.retryRequested)
        self._close = QToolButton(self)
        self._close.setObjectName("messageCloseButton")
        self._close.setText("×")
        self._close.setAutoRaise(True)
        self._close.clicked.connect(lambda: self.clear())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._retry)
        layout.addWidget(self._close)
        self.clear()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """The buttons only: a message already shown keeps the language it was written in."""
        self._retry.setText(self.tr("Retry"))
        self._close.setToolTip(self.tr("Dismiss"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @property
    def text(self) -> str:
        return "" if self.isHidden() else self._text

    @property
    def severity(self) -> str:
        return str(self.property("severity") or "")

    def show_message(self, text: str, severity: Severity = Severity.INFO, *, source: str | None = None,
                     retry: bool = False) -> None:
        self.source = source
        self._text = text
        self._label.setText(text)
        self._label.setToolTip(text if formatting.has_long_word(text) else "")
        self._retry.setVisible(retry)
        self.setProperty("severity", severity.value)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setVisible(True)

    def report(self, message: Message) -> None:
        """A message from the controller; one in the background never hides what another source showed."""
        if message.background and self.source not in (None, message.source):
            return
        self.show_message(message.text, message.severity, source=message.source, retry=message.retry)

    def clear(self, source: str | None = None) -> None:
        """Hide the message; with ``source``, only if that source showed it."""
        if source is not None and self.source != source:
            return
        self.source = None
        self._label.clear()
        self._retry.setVisible(False)
        self.setVisible(False)
