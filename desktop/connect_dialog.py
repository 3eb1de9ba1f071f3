"""File → Connect to server…: the team server's address and a personal token. Opened with ``open()`` (never a
nested event loop); it asks the controller through ``connectRequested`` and stays open, saying why, until the
server accepts the token. The token field hides what is typed and is emptied whenever the dialog closes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def _plain(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class ConnectDialog(QDialog):
    connectRequested = Signal(str, str)  # URL, token

    def __init__(self, session_only: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._session_only = session_only
        self.reason = _plain(self, "connectReason")
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("serverUrlEdit")
        self.token_edit = QLineEdit(self)
        self.token_edit.setObjectName("tokenEdit")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.note = _plain(self, "keyringNote")
        self.error = _plain(self, "connectError")
        self.error.setProperty("fieldError", True)
        self._url_label = QLabel(self)
        self._url_label.setBuddy(self.url_edit)
        self._token_label = QLabel(self)
        self._token_label.setBuddy(self.token_edit)
        buttons = QDialogButtonBox(self)
        self.cancel_button = buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("connectCancelButton")
        self.connect_button: QPushButton = buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setDefault(True)
        buttons.accepted.connect(self._ask)
        buttons.rejected.connect(self.reject)
        self.rejected.connect(self.token_edit.clear)
        form = QFormLayout()
        form.addRow(self._url_label, self.url_edit)
        form.addRow(self._token_label, self.token_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.prepare("", "")
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Connect to a team server"))
        self._url_label.setText(self.tr("&Server:"))
        self._token_label.setText(self.tr("&Token:"))
        self.url_edit.setPlaceholderText(self.tr("https://orders.example.com:8000"))
        self.token_edit.setPlaceholderText(self.tr("Your personal token (odt_…)"))
        self.note.setText(self.tr("This computer has no keyring: your token will be kept for this session only.")
                          if self._session_only else self.tr("Your token is kept in this computer's keyring."))
        self.cancel_button.setText(self.tr("Cancel"))
        self.connect_button.setText(self.tr("Sign in"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def prepare(self, url: str, reason: str) -> None:
        """Ready to ask: ``url`` filled in (the token field empty), ``reason`` said at the top (none: hidden)."""
        if url:
            self.url_edit.setText(url)
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        self.error.clear()
        self.error.setVisible(False)
        self.set_busy(False)
        self._fit()
        (self.token_edit if self.url_edit.text() else self.url_edit).setFocus()

    def _ask(self) -> None:
        url, token = self.url_edit.text().strip(), self.token_edit.text().strip()
        if not url or not token:
            self.show_error(self.tr("Enter the server's address and your token."))
            return
        self.error.setVisible(False)
        self.set_busy(True)
        self.connectRequested.emit(url, token)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        self.set_busy(False)
        self._fit()

    def _fit(self) -> None:
        """As tall as what it says now: an open dialog does not grow by itself, so a long reason was cut off and
        squeezed the fields to a few pixels (a QA pass, in English and in Vietnamese)."""
        layout = self.layout()
        layout.activate()
        width = max(self.width(), self.minimumWidth())
        self.resize(width, layout.totalHeightForWidth(width))

    def set_busy(self, busy: bool) -> None:
        for widget in (self.url_edit, self.token_edit, self.connect_button):
            widget.setEnabled(not busy)

    def signed_in(self) -> None:
        self.token_edit.clear()
        self.accept()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.token_edit.clear()
        super().closeEvent(event)
