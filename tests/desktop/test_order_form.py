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


def service_message(item: str, quantity: int = 1) -> str:
    with pytest.raises(ValidationError) as raised:
        OrderRequest(item=item, quantity=quantity)
    return raised.value.errors()[0]["msg"]


@pytest.mark.parametrize("item", ["", "   ", "x" * 201])
def test_invalid_item_shows_the_services_message_by_the_field(qtbot: QtBot, form: OrderForm, item: str) -> None:
    form.item_edit.setText(item)
    with qtbot.assertNotEmitted(form.submitted):
        qtbot.keyClick(form.item_edit, Qt.Key.Key_Return)
    assert form.error("item") == service_message(item)
    assert form.findChild(QLabel, "itemError").textFormat() == Qt.TextFormat.PlainText
    assert form.error("quantity") == ""


def test_editing_the_field_clears_its_error(qtbot: QtBot, form: OrderForm) -> None:
    form.submit()
    assert form.error("item")
    qtbot.keyClicks(form.item_edit, "Desk")
    assert form.error("item") == ""


def test_enter_submits_a_valid_request_from_either_field(qtbot: QtBot, form: OrderForm) -> None:
    form.item_edit.setText("  Laptop Dell XPS 15  ")
    form.quantity_spin.setValue(3)
    with qtbot.waitSignal(form.submitted) as from_item:
        qtbot.keyClick(form.item_edit, Qt.Key.Key_Return)
    assert from_item.args == [OrderRequest(item="Laptop Dell XPS 15", quantity=3)]
    with qtbot.waitSignal(form.submitted) as from_quantity:
        qtbot.keyClick(form.quantity_spin, Qt.Key.Key_Enter)
    assert from_quantity.args[0].quantity == 3


def test_quantity_is_limited_to_the_services_range(form: OrderForm) -> None:
    assert (form.quantity_spin.minimum(), form.quantity_spin.maximum()) == (1, 1_000_000)
    form.quantity_spin.setValue(5_000_000)
    assert form.quantity_spin.value() == 1_000_000


def test_a_busy_form_does_not_submit_again(qtbot: QtBot, form: OrderForm) -> None:
    form.item_edit.setText("Chair")
    form.set_busy(True)
    with qtbot.assertNotEmitted(form.submitted):
        qtbot.keyClick(form, Qt.Key.Key_Return)
    form.set_busy(False)
    form.reset()
    assert (form.item_edit.text(), form.quantity_spin.value()) == ("", 1)
