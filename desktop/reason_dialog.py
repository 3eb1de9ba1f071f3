"""Asks why an order is rejected. Opened with ``open()`` (window-modal, never a nested event loop);
the answer comes back through ``reasonGiven``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

MAX_REASON = 500  # core.models.Reason


class ReasonDialog(QDialog):
    reasonGiven = Signal(str, str)  # order_id, reason ("" for none)

    def __init__(self, order_id: str, item: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rejectDialog")
        self.setWindowTitle("Reject order")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.order_id = order_id
        prompt = QLabel(self)
        prompt.setTextFormat(Qt.TextFormat.PlainText)
        prompt.setWordWrap(True)
        prompt.setText(f"Reject order {order_id} ({item})?\nReason (optional):")
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(MAX_REASON)
        self.reason_edit.setPlaceholderText("e.g. over budget")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.reject_button = buttons.addButton("Reject order", QDialogButtonBox.ButtonRole.AcceptRole)
        self.reject_button.setObjectName("confirmRejectButton")
        self.reject_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.accepted.connect(lambda: self.reasonGiven.emit(self.order_id, self.reason_edit.text().strip()))
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.reason_edit)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)
