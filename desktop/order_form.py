"""The new-order form: validated with the service's own ``OrderRequest``, errors shown by each field.

The service's rule decides what is valid; the form words pydantic's error in the interface's language. The quantity
is kept exactly as typed (``desktop.quantity_input``) and refused in words unless it is a whole number in range. An
optional unit price is typed as the interface's language writes numbers (``1.250.000`` in Vietnamese,
``1,250,000`` in English) and read exactly by ``desktop.money_input``, in the currency beside it (the team
server's default when signed in, else the settings', until changed). A refused field says why beneath it, and
nothing typed is cleared.
"""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from PySide6.QtCore import QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from core.models import OrderRequest
from core.money import DEFAULT_CURRENCY, MAX_AMOUNT
from core.text import CONTROL_CHARACTER
from desktop import formatting
from desktop.money_input import PriceError, PriceProblem, example, read_price
from desktop.quantity_input import (
    MAX_QUANTITY,
    MIN_QUANTITY,
    QuantityEdit,
    QuantityError,
    QuantityProblem,
    read_quantity,
)

MAX_AMOUNT_INT = int(MAX_AMOUNT)
FIELDS = ("item", "quantity", "price", "currency")


class OrderForm(QGroupBox):
    """Emits ``submitted(OrderRequest)`` only for a request the service would accept as valid."""

    submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderForm")
        self.item_edit = QLineEdit(self)
        self.item_edit.setObjectName("itemEdit")
        self.item_edit.setClearButtonEnabled(True)
        self.quantity_edit = QuantityEdit(formatting.babel_locale(), self)
        self.quantity_edit.setObjectName("quantityEdit")
        self.quantity_edit.setMaximumWidth(110)
        self.price_edit = QLineEdit(self)
        self.price_edit.setObjectName("priceEdit")
        self.price_edit.setClearButtonEnabled(True)
        self.price_edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.currency_edit = QLineEdit(DEFAULT_CURRENCY, self)
        self.currency_edit.setObjectName("currencyEdit")
        self.currency_edit.setMaxLength(3)
        self.currency_edit.setMaximumWidth(64)
        self.currency_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,3}"), self))
        self._default_currency = DEFAULT_CURRENCY
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("submitButton")
        self.submit_button.clicked.connect(self.submit)
        self._errors = {field: self._error_label(field) for field in FIELDS}
        self.item_edit.textEdited.connect(lambda _text: self.clear_error("item"))
        self.quantity_edit.textEdited.connect(lambda _text: self.clear_error("quantity"))
        self.price_edit.textEdited.connect(lambda _text: self.clear_error("price"))
        self.currency_edit.textEdited.connect(lambda _text: self.clear_error("currency"))

        self._item_label = QLabel(self)
        self._item_label.setBuddy(self.item_edit)
        self._quantity_label = QLabel(self)
        self._quantity_label.setBuddy(self.quantity_edit)
        self._price_label = QLabel(self)
        self._price_label.setBuddy(self.price_edit)
        layout = QGridLayout(self)
        for column, widget in enumerate((self._item_label, self.item_edit, self._quantity_label, self.quantity_edit,
                                         self._price_label, self.price_edit, self.currency_edit, self.submit_button)):
            layout.addWidget(widget, 0, column)
        layout.addWidget(self._errors["item"], 1, 1)
        layout.addWidget(self._errors["quantity"], 1, 3)
        layout.addWidget(self._errors["price"], 1, 5)
        layout.addWidget(self._errors["currency"], 1, 6)
        layout.setColumnStretch(1, 3)
        layout.setColumnStretch(5, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("New order"))
        self.item_edit.setPlaceholderText(self.tr("What is ordered, e.g. Laptop Dell XPS 15"))
        self.submit_button.setText(self.tr("Create order"))
        self.submit_button.setToolTip(self.tr("Create the order (Enter)"))
        self._item_label.setText(self.tr("&Item"))
        self._quantity_label.setText(self.tr("&Quantity"))
        self._price_label.setText(self.tr("Unit &price"))
        self.price_edit.setPlaceholderText(self.tr("optional, e.g. {example}").format(
            example=example(formatting.babel_locale())))
        self.price_edit.setToolTip(self.tr("The price of one item, written as your language writes numbers; "
                                           "leave it empty for an order without a price"))
        self.currency_edit.setToolTip(self.tr("The currency of the price (ISO 4217, such as VND or USD)"))
        self._follow_language(formatting.babel_locale())

    def _follow_language(self, locale: str) -> None:
        """The quantity's grouping follows the language; a quantity that reads is written again in the new one."""
        edit = self.quantity_edit
        try:
            value = read_quantity(edit.text(), edit.locale)
        except QuantityError:
            value = None
        edit.locale = locale
        if value is not None:
            edit.setValue(value)

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

    def set_default_currency(self, currency: str) -> None:
        """The currency of a price that names none (the team server's when signed in, else the settings');
        shown unless another one was typed."""
        if self.currency_edit.text().strip().upper() in ("", self._default_currency):
            self.currency_edit.setText(currency)
        self._default_currency = currency

    def submit(self) -> None:
        self.clear_errors()
        try:
            quantity = read_quantity(self.quantity_edit.text(), self.quantity_edit.locale)
        except QuantityError as err:
            self.show_error("quantity", self.quantity_text(err))
            quantity = MIN_QUANTITY  # the price is still checked, as for one
        fields: dict[str, object] = {"item": self.item_edit.text(), "quantity": quantity}
        try:
            price = read_price(self.price_edit.text(), self.currency_edit.text(), quantity,
                               formatting.babel_locale())
        except PriceError as err:
            self.show_error(err.field, self.price_text(err))
            price = None
        if price is not None:
            fields.update(unit_price=price.unit_price, currency=price.currency)
        try:
            request = OrderRequest.model_validate(fields)
        except ValidationError as err:
            for error in err.errors():
                field = str(error["loc"][0]) if error["loc"] else "price"
                field = {"unit_price": "price"}.get(field, field)
                if not self.error(field if field in self._errors else "item"):
                    self.show_error(field if field in self._errors else "item", self.error_text(error))
        if any(self.error(field) for field in FIELDS):
            self.focus_first_error()
            return
        self.submitted.emit(request)

    def quantity_text(self, err: QuantityError) -> str:
        """Why a typed quantity cannot be taken, in the interface's language."""
        if err.problem is QuantityProblem.TOO_SMALL:
            return self.tr("At least {count}.").format(count=formatting.number(MIN_QUANTITY))
        if err.problem is QuantityProblem.TOO_LARGE:
            return self.tr("At most {count}.").format(count=formatting.number(MAX_QUANTITY))
        return self.tr("Enter a whole number, such as 12.")

    def price_text(self, err: PriceError) -> str:
        """Why a typed price cannot be taken, in the interface's language."""
        details = err.details
        if err.problem is PriceProblem.NOT_A_NUMBER:
            return self.tr("Enter a number such as {example}.").format(example=details["example"])
        if err.problem is PriceProblem.NEGATIVE:
            return self.tr("A price is 0 or more.")
        if err.problem is PriceProblem.TOO_MANY_DECIMALS:
            if details["count"] == 0:
                return self.tr("{currency} has no decimals.").format(currency=details["currency"])
            return self.tr("{currency} has at most {count} decimals.").format(
                currency=details["currency"], count=details["count"])
        if err.problem is PriceProblem.UNKNOWN_CURRENCY:
            return self.tr("Not a currency code: enter one such as VND or USD.")
        limit = formatting.number(MAX_AMOUNT_INT)
        if err.problem is PriceProblem.AMOUNT_TOO_LARGE:
            return self.tr("Quantity × price must be below {limit}.").format(limit=limit)
        return self.tr("A price is below {limit}.").format(limit=limit)

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
        widgets = {"item": self.item_edit, "quantity": self.quantity_edit, "price": self.price_edit,
                   "currency": self.currency_edit}
        first = next((field for field in FIELDS if self.error(field)), None)
        if first is not None:
            widgets[first].setFocus()

    def set_busy(self, busy: bool) -> None:
        for widget in (self.item_edit, self.quantity_edit, self.price_edit, self.currency_edit, self.submit_button):
            widget.setEnabled(not busy)

    def reset(self) -> None:
        """Ready for the next order: the item and the price cleared, the item focused, the quantity back to 1, the
        currency back to the default."""
        self.item_edit.clear()
        self.quantity_edit.setValue(MIN_QUANTITY)
        self.price_edit.clear()
        self.currency_edit.setText(self._default_currency)
        self.clear_errors()
        self.item_edit.setFocus()
