"""The order form validates exactly as the service does and shows pydantic's message by the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from core.models import OrderRequest
from desktop.order_form import OrderForm


@pytest.fixture
def form(qtbot: QtBot) -> OrderForm:
    form = OrderForm()
    qtbot.addWidget(form)
    form.show()
    return form


def service_error(item: str, quantity: int = 1) -> str:
    with pytest.raises(ValidationError) as raised:
        OrderRequest(item=item, quantity=quantity)
    return raised.value.errors()[0]["type"]


@pytest.mark.parametrize(("item", "error", "message"), [
    ("", "string_too_short", "Enter what is ordered."),
    ("   ", "string_too_short", "Enter what is ordered."),
    ("x" * 201, "string_too_long", "At most 200 characters."),
    ("Laptop\tGaming", "control_character",
     "Remove the control character U+0009 (a tab, a line break or an invisible character)."),
    ("nul\u0000", "control_character",
     "Remove the control character U+0000 (a tab, a line break or an invisible character)."),
])
def test_an_item_the_service_refuses_shows_why_by_the_field(qtbot: QtBot, form: OrderForm, item: str, error: str,
                                                             message: str) -> None:
    assert service_error(item) == error  # the service's own rule decides; the form words it
    form.item_edit.setText(item)
    with qtbot.assertNotEmitted(form.submitted):
        qtbot.keyClick(form.item_edit, Qt.Key.Key_Return)
    assert form.error("item") == message
    assert form.findChild(QLabel, "itemError").textFormat() == Qt.TextFormat.PlainText
    assert form.error("quantity") == ""


def test_editing_the_field_clears_its_error(qtbot: QtBot, form: OrderForm) -> None:
    form.submit()
    assert form.error("item")
    qtbot.keyClicks(form.item_edit, "Desk")
    assert form.error("item") == ""


def test_enter_submits_a_valid_request_from_either_field(qtbot: QtBot, form: OrderForm) -> None:
    form.item_edit.setText("  Laptop Dell XPS 15  ")
    form.quantity_edit.setValue(3)
    with qtbot.waitSignal(form.submitted) as from_item:
        qtbot.keyClick(form.item_edit, Qt.Key.Key_Return)
    assert from_item.args == [OrderRequest(item="Laptop Dell XPS 15", quantity=3)]
    with qtbot.waitSignal(form.submitted) as from_quantity:
        qtbot.keyClick(form.quantity_edit, Qt.Key.Key_Enter)
    assert from_quantity.args[0].quantity == 3


@pytest.mark.parametrize(("typed", "message"), [
    ("2.5", "Enter a whole number, such as 12."), ("1e5", "Enter a whole number, such as 12."),
    ("abc", "Enter a whole number, such as 12."), ("", "Enter a whole number, such as 12."),
    ("0", "At least 1."), ("-5", "At least 1."), ("1500000", "At most 1,000,000."),
])
def test_a_quantity_is_taken_as_typed_or_refused_in_words_never_changed(
        qtbot: QtBot, form: OrderForm, typed: str, message: str) -> None:
    """A spin box changed typing silently (2.5 -> 25, 1500000 -> 150,000, -5 -> 5, 0 -> 1) and created that."""
    form.item_edit.setText("Giấy A4")
    form.quantity_edit.clear()
    qtbot.keyClicks(form.quantity_edit, typed)
    with qtbot.assertNotEmitted(form.submitted):
        qtbot.keyClick(form.quantity_edit, Qt.Key.Key_Return)
    assert (form.error("quantity"), form.quantity_edit.text()) == (message, typed)


@pytest.mark.parametrize(("typed", "quantity"), [("12", 12), ("1,000", 1000), (" 1000000 ", 1_000_000)])
def test_a_whole_quantity_in_the_readers_grouping_is_taken(qtbot: QtBot, form: OrderForm, typed: str,
                                                           quantity: int) -> None:
    form.item_edit.setText("Giấy A4")
    form.quantity_edit.setText(typed)
    with qtbot.waitSignal(form.submitted) as sent:
        qtbot.keyClick(form.quantity_edit, Qt.Key.Key_Return)
    assert sent.args[0].quantity == quantity


def test_up_and_down_step_the_quantity_within_its_range(qtbot: QtBot, form: OrderForm) -> None:
    qtbot.keyClick(form.quantity_edit, Qt.Key.Key_Down)
    assert form.quantity_edit.text() == "1"
    qtbot.keyClick(form.quantity_edit, Qt.Key.Key_Up)
    assert form.quantity_edit.text() == "2"
    form.quantity_edit.setValue(1_000_000)
    qtbot.keyClick(form.quantity_edit, Qt.Key.Key_Up)
    assert form.quantity_edit.text() == "1,000,000"


def test_a_busy_form_does_not_submit_again(qtbot: QtBot, form: OrderForm) -> None:
    form.item_edit.setText("Chair")
    form.set_busy(True)
    with qtbot.assertNotEmitted(form.submitted):
        qtbot.keyClick(form, Qt.Key.Key_Return)
    form.set_busy(False)
    form.reset()
    assert (form.item_edit.text(), form.quantity_edit.text()) == ("", "1")


@pytest.mark.parametrize(("typed", "locale", "quantity"), [
    ("1.000", "vi_VN", 1000), ("1,000", "vi_VN", None), ("1.000", "en_US", None), ("1,000", "en_US", 1000),
    ("12", "vi_VN", 12),
])
def test_a_quantity_is_read_in_the_readers_grouping_and_never_as_a_decimal(typed: str, locale: str,
                                                                           quantity: int | None) -> None:
    """``1,000`` in Vietnamese is 1,0 (one): a person who meant a thousand would get one; refused instead."""
    from desktop.quantity_input import QuantityError, read_quantity

    if quantity is None:
        with pytest.raises(QuantityError):
            read_quantity(typed, locale)
    else:
        assert read_quantity(typed, locale) == quantity
