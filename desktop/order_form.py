"""The new-order form: validated with the service's own ``OrderRequest``, errors shown by each field.

The service's rule decides what is valid; the form words pydantic's error in the interface's language.
"""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from PySide6.QtCore import QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget

from core.models import OrderRequest
from core.text import CONTROL_CHARACTER
from desktop import formatting

MAX_QUANTITY = 1_000_000
FIELDS = ("item", "quantity")


class OrderForm(QGroupBox):
    """Emits ``submitted(OrderRequest)`` only for a request the service would accept as valid."""

    submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderForm")
        self.item_edit = QLineEdit(self)
        self.item_edit.setObjectName("itemEdit")
        self.item_edit.setClearButtonEnabled(True)
        self.quantity_spin = QSpinBox(self)
        self.quantity_spin.setObjectName("quantitySpin")
        self.quantity_spin.setRange(1, MAX_QUANTITY)
        self.quantity_spin.setGroupSeparatorShown(True)
        self.quantity_spin.setAccelerated(True)
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("submitButton")
        self.submit_button.clicked.connect(self.submit)
        self._errors = {field: self._error_label(field) for field in FIELDS}
        self.item_edit.textEdited.connect(lambda _text: self.clear_error("item"))
        self.quantity_spin.valueChanged.connect(lambda _value: self.clear_error("quantity"))

        self._item_label = QLabel(self)
        self._item_label.setBuddy(self.item_edit)
        self._quantity_label = QLabel(self)
        self._quantity_label.setBuddy(self.quantity_spin)
        layout = QGridLayout(self)
        layout.addWidget(self._item_label, 0, 0)
        layout.addWidget(self.item_edit, 0, 1)
        layout.addWidget(self._quantity_label, 0, 2)
        layout.addWidget(self.quantity_spin, 0, 3)
        layout.addWidget(self.submit_button, 0, 4)
        layout.addWidget(self._errors["item"], 1, 1)
        layout.addWidget(self._errors["quantity"], 1, 3)
        layout.setColumnStretch(1, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("New order"))
        self.item_edit.setPlaceholderText(self.tr("What is ordered, e.g. Laptop Dell XPS 15"))
        self.submit_button.setText(self.tr("Create order"))
        self.submit_button.setToolTip(self.tr("Create the order (Enter)"))
        self._item_label.setText(self.tr("&Item"))
        self._quantity_label.setText(self.tr("&Quantity"))
        self.quantity_spin.setLocale(QLocale())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _error_label(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"{field}Error")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setProperty("fieldError", True)
        label.setVisible(False)
        return label

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # Line edits and spin boxes pass Enter on to their parent: Enter anywhere in the form submits.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.submit_button.isEnabled():
            event.accept()
            self.submit()
            return
        super().keyPressEvent(event)

    def submit(self) -> None:
        self.clear_errors()
        try:
            request = OrderRequest(item=self.item_edit.text(), quantity=self.quantity_spin.value())
        except ValidationError as err:
            for error in err.errors():
                field = str(error["loc"][0]) if error["loc"] else "item"
                self.show_error(field if field in self._errors else "item", self.error_text(error))
            self.focus_first_error()
            return
        self.submitted.emit(request)

    def error_text(self, error: ErrorDetails) -> str:
        """The service's validation error in the interface's language; pydantic's own words if unforeseen."""
        limits = error.get("ctx") or {}
        if error["type"] == "string_too_short":
            return self.tr("Enter what is ordered.")
        if error["type"] == "string_too_long":
            return self.tr("At most {count} characters.").format(count=formatting.number(limits["max_length"]))
        if error["type"] == "greater_than_equal":
            return self.tr("At least {count}.").format(count=formatting.number(limits["ge"]))
        if error["type"] == "less_than_equal":
            return self.tr("At most {count}.").format(count=formatting.number(limits["le"]))
        if error["type"] == CONTROL_CHARACTER:
            return self.tr("Remove the control character {character} (a tab, a line break or an invisible "
                           "character).").format(character=limits["character"])
        return error["msg"]

    def show_error(self, field: str, message: str) -> None:
        label = self._errors[field]
        label.setText(message)
        label.setVisible(True)

    def error(self, field: str) -> str:
        label = self._errors[field]
        return "" if label.isHidden() else label.text()

    def clear_error(self, field: str) -> None:
        self._errors[field].clear()
        self._errors[field].setVisible(False)

    def clear_errors(self) -> None:
        for field in FIELDS:
            self.clear_error(field)

    def focus_first_error(self) -> None:
        if self.error("item"):
            self.item_edit.setFocus()
        elif self.error("quantity"):
            self.quantity_spin.setFocus()

    def set_busy(self, busy: bool) -> None:
        for widget in (self.item_edit, self.quantity_spin, self.submit_button):
            widget.setEnabled(not busy)

    def reset(self) -> None:
        """Ready for the next order: the item cleared and focused, the quantity back to 1."""
        self.item_edit.clear()
        self.quantity_spin.setValue(1)
        self.clear_errors()
        self.item_edit.setFocus()
