"""The quantity as a person types it: a line edit that keeps exactly what was typed, read at submit.

A spin box corrected typing silently (a QA pass: ``2.5`` became 25, ``1500000`` became 150,000 as the seventh digit
was dropped, ``-5`` became 5, ``0`` became 1) and created the order with a number nobody typed. Here the text stays
as typed and a quantity that is not a whole number from 1 to the maximum is refused in words, as the price is.
Grouping follows the reader's language (``1.000`` in Vietnamese, ``1,000`` in English); Up and Down still step it.
"""

from __future__ import annotations

from enum import StrEnum

from babel.numbers import NumberFormatError, get_decimal_symbol
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from core.money import format_number
from desktop.money_input import parse_typed

MIN_QUANTITY = 1
MAX_QUANTITY = 1_000_000  # core.models.Quantity


class QuantityProblem(StrEnum):
    NOT_WHOLE = "not_whole"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"


class QuantityError(Exception):
    def __init__(self, problem: QuantityProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def read_quantity(text: str, locale: str) -> int:
    """The whole number typed as ``text`` in ``locale`` (Babel's name), from 1 to ``MAX_QUANTITY``. The language's
    decimal symbol is refused outright: ``1,000`` in Vietnamese (or ``1.000`` in English) reads as one, where the
    person surely meant a thousand in the other language's grouping."""
    if get_decimal_symbol(locale) in text:
        raise QuantityError(QuantityProblem.NOT_WHOLE)
    try:
        number = parse_typed(text, locale)
    except NumberFormatError as err:
        raise QuantityError(QuantityProblem.NOT_WHOLE) from err
    if number != number.to_integral_value():
        raise QuantityError(QuantityProblem.NOT_WHOLE)
    if number < MIN_QUANTITY:
        raise QuantityError(QuantityProblem.TOO_SMALL)
    if number > MAX_QUANTITY:
        raise QuantityError(QuantityProblem.TOO_LARGE)
    return int(number)


class QuantityEdit(QLineEdit):
    """Holds the typed text; ``setValue`` writes a number in the reader's grouping. Up and Down add or take one
    from a quantity that reads, within the bounds; they leave text that does not read as it is."""

    def __init__(self, locale: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.locale = locale
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setValue(MIN_QUANTITY)

    def setValue(self, value: int) -> None:  # noqa: N802 (the spin box's name, which it replaces)
        self.setText(format_number(value, self.locale))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        step = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(Qt.Key(event.key()))
        if step is None:
            super().keyPressEvent(event)
            return
        try:
            value = read_quantity(self.text(), self.locale)
        except QuantityError:
            return
        self.setValue(min(MAX_QUANTITY, max(MIN_QUANTITY, value + step)))
