"""The desk's side of approval policies, on the real Temporal server and ledger: prices typed in the reader's
language, the Amount and Awaiting columns, the "Needs my review" tab and its count, the approval chain in the
detail pane, and approve offered only to someone who may sign the step an order awaits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.models import Action, Actor, OrderRequest, OrderStatus, Role
from core.service import OrderService
from core.settings import Settings
from desktop.i18n import Translations
from desktop.main_window import MainWindow
from desktop.order_form import OrderForm
from desktop.orders_model import Column
from desktop.views import ALL_VIEW, REVIEW_VIEW, VIEWS
from tests.desktop.helpers import CALL_TIMEOUT, wait_status
from tests.test_policy import EXAMPLE

OpenWindow = Callable[..., MainWindow]
Aio = Callable[..., Any]
AN = Actor(name="an", role=Role.CLERK)
MONA = Actor(name="mona", role=Role.MANAGER)
DAN = Actor(name="dan", role=Role.DIRECTOR)
POLICY = EXAMPLE  # docs/APPROVALS.md's example, as tests/test_policy.py holds it


@pytest.fixture
def form(qtbot: QtBot) -> OrderForm:
    form = OrderForm()
    qtbot.addWidget(form)
    form.show()
    return form


def submit(qtbot: QtBot, form: OrderForm, item: str, price: str, currency: str = "VND") -> list[OrderRequest]:
    """Type an order with a price and press Enter; what the form sent (nothing when it refused)."""
    sent: list[OrderRequest] = []
    form.submitted.connect(sent.append)
    form.item_edit.setText(item)
    form.price_edit.clear()
    qtbot.keyClicks(form.price_edit, price)
    form.currency_edit.setText(currency)
    qtbot.keyClick(form.price_edit, Qt.Key.Key_Return)
    form.submitted.disconnect(sent.append)
    return sent


def test_a_price_is_read_as_english_writes_numbers(qtbot: QtBot, form: OrderForm) -> None:
    [request] = submit(qtbot, form, "Máy chiếu", "1,250,000")
    assert (request.unit_price, request.currency) == (Decimal(1_250_000), "VND")
    [request] = submit(qtbot, form, "Laptop", "12.50", "usd")
    assert (request.unit_price, request.currency) == (Decimal("12.5"), "USD")
    [request] = submit(qtbot, form, "Chair", "")
    assert (request.unit_price, request.currency) == (None, None)  # no price: the seed's order
    assert form.price_edit.placeholderText() == "optional, e.g. 1,250,000"


def test_a_price_is_read_as_vietnamese_writes_numbers(qtbot: QtBot, form: OrderForm,
                                                      english: Translations) -> None:
    assert english.apply("vi")
    [request] = submit(qtbot, form, "Máy chiếu", "1.250.000")
    assert request.unit_price == Decimal(1_250_000)
    [request] = submit(qtbot, form, "Laptop", "12,5", "USD")
    assert request.unit_price == Decimal("12.5")
    qtbot.waitUntil(lambda: form.price_edit.placeholderText() == "không bắt buộc, ví dụ 1.250.000")
    assert not submit(qtbot, form, "Máy in", "12,5")  # VND has no decimals
    assert form.error("price") == "VND không có phần thập phân."


@pytest.mark.parametrize(("price", "currency", "field", "message"), [
    ("1.250.000", "VND", "price", "Enter a number such as 1,250,000."),  # Vietnamese grouping in English
    ("abc", "VND", "price", "Enter a number such as 1,250,000."),
    ("1e5", "VND", "price", "Enter a number such as 1,250,000."),  # Babel reads it as 100,000: nobody types so
    ("-5", "VND", "price", "A price is 0 or more."),
    ("12.5", "VND", "price", "VND has no decimals."),
    ("5.000", "VND", "price", "VND has no decimals."),  # Vietnamese grouping typed in English: never 5
    ("1.255", "USD", "price", "USD has at most 2 decimals."),
    ("10", "XYZ", "currency", "Not a currency code: enter one such as VND or USD."),
    ("100,000,000,000,000", "VND", "price", "A price is below 100,000,000,000,000."),
])
def test_a_refused_price_is_said_by_its_field_and_nothing_typed_is_lost(
        qtbot: QtBot, form: OrderForm, price: str, currency: str, field: str, message: str) -> None:
    form.quantity_edit.setValue(3)
    assert not submit(qtbot, form, "Máy chiếu Epson", price, currency)
    assert form.error(field) == message
    assert (form.item_edit.text(), form.quantity_edit.text(), form.price_edit.text(),
            form.currency_edit.text()) == ("Máy chiếu Epson", "3", price, currency)
    assert form.error("item") == ""


@pytest.fixture
def policy_settings(desk_settings: Settings, tmp_path: Path) -> Callable[[str], Settings]:
    """The desk's settings with the three-tier policy and roles, acting as ``actor``."""
    policy = tmp_path / "approvals.toml"
    policy.write_text(POLICY)

    def settings_(actor: str) -> Settings:
        return desk_settings.model_copy(update={
            "approval_policy": policy, "actor": actor,
            "roles": {"an": Role.CLERK, "mona": Role.MANAGER, "dan": Role.DIRECTOR}})

    return settings_


def review_tab(window: MainWindow) -> str:
    return window.table.tabs.tabText(VIEWS.index(REVIEW_VIEW))


def cell(window: MainWindow, order_id: str, column: Column) -> str:
    model = window.controller.model
    row = model.row_of(order_id)
    assert row is not None
    return model.index(row, column).data()


def test_a_manager_signs_the_first_of_two_steps_and_the_chain_shows_it(
        qtbot: QtBot, open_window: OpenWindow, aio: Aio, policy_settings: Callable[[str], Settings],
        temporal_address: str) -> None:
    settings = policy_settings("mona")
    window = open_window(settings)
    clerk = aio(OrderService.connect(settings, temporal_address))
    qtbot.waitUntil(lambda: review_tab(window) == "Needs my review (0)", timeout=CALL_TIMEOUT)

    order_id = aio(clerk.create_order(OrderRequest(item="Máy chủ", quantity=2, unit_price=Decimal(40_000_000)), AN))
    small = aio(clerk.create_order(OrderRequest(item="Bút bi", quantity=10, unit_price=Decimal(5_000)), AN))
    qtbot.waitUntil(lambda: review_tab(window) == "Needs my review (1)", timeout=CALL_TIMEOUT)  # the small one: none

    window.table.set_view(REVIEW_VIEW)
    qtbot.waitUntil(lambda: window.controller.model.order_ids() == [order_id], timeout=CALL_TIMEOUT)
    assert cell(window, order_id, Column.AMOUNT) == "VND\u00a080,000,000"
    assert cell(window, order_id, Column.AWAITING) == "manager"
    assert window.table.select_order(order_id)
    qtbot.waitUntil(lambda: window.decisions[Action.APPROVE].isEnabled(), timeout=CALL_TIMEOUT)
    qtbot.waitUntil(lambda: window.detail.chain.rows() == [
        ("1 of 2", "manager", "awaiting signature", "", ""), ("2 of 2", "director", "", "", "")],
        timeout=CALL_TIMEOUT)

    window.decisions[Action.APPROVE].trigger()
    qtbot.waitUntil(lambda: window.messages.text == f"Order {order_id}: your approval is recorded; it awaits the "
                                                    "next step.", timeout=CALL_TIMEOUT)  # not "now pending approval"

    # Signed: it leaves mona's review (she may not sign the director's step), the count follows.
    qtbot.waitUntil(lambda: review_tab(window) == "Needs my review (0)", timeout=CALL_TIMEOUT)
    qtbot.waitUntil(lambda: window.controller.model.row_of(order_id) is None, timeout=CALL_TIMEOUT)
    window.table.set_view(ALL_VIEW)
    qtbot.waitUntil(lambda: window.controller.model.row_of(order_id) is not None, timeout=CALL_TIMEOUT)
    qtbot.waitUntil(lambda: cell(window, order_id, Column.AWAITING) == "director", timeout=CALL_TIMEOUT)
    assert window.table.select_order(order_id)
    qtbot.waitUntil(lambda: [row[:3] for row in window.detail.chain.rows()] == [
        ("1 of 2", "manager", "mona (manager)"), ("2 of 2", "director", "awaiting signature")], timeout=CALL_TIMEOUT)
    assert window.detail.fields["amount"].text() == "VND\u00a080,000,000"
    assert window.detail.fields["awaiting"].text() == "a director's signature"
    assert window.detail.history_rows()[-1][1:3] == ("Signed, awaits the next step", "mona")  # not "Pending approval"
    # The director's step: a manager neither approves nor rejects it.
    assert not window.decisions[Action.APPROVE].isEnabled() and not window.decisions[Action.REJECT].isEnabled()
    assert window.decisions[Action.CANCEL].isEnabled()
    assert aio(clerk.status(order_id)) is OrderStatus.PENDING_APPROVAL

    # Within the lowest tier: the system approved it at once, and says why.
    wait_status(qtbot, window, small, OrderStatus.APPROVED)
    assert window.table.select_order(small)
    qtbot.waitUntil(lambda: window.detail.chain.note.text().startswith("Approved at once by the system: amount "
                                                                       "VND 50,000 is at most VND 5,000,000"),
                    timeout=CALL_TIMEOUT)
    assert window.detail.chain.rows() == []


def test_who_signed_one_step_is_not_offered_the_next(
        qtbot: QtBot, open_window: OpenWindow, aio: Aio, policy_settings: Callable[[str], Settings],
        temporal_address: str) -> None:
    settings = policy_settings("dan")
    window = open_window(settings)
    other = aio(OrderService.connect(settings, temporal_address))
    order_id = aio(other.create_order(OrderRequest(item="Xe tải", quantity=1, unit_price=Decimal(900_000_000)), AN))
    fresh = aio(other.create_order(OrderRequest(item="Xe nâng", quantity=1, unit_price=Decimal(600_000_000)), AN))
    wait_status(qtbot, window, fresh, OrderStatus.PENDING_APPROVAL)
    wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    aio(other.decide(order_id, Action.APPROVE, DAN))  # a director may sign the manager's step...
    qtbot.waitUntil(lambda: cell(window, order_id, Column.AWAITING) == "director", timeout=CALL_TIMEOUT)
    qtbot.waitUntil(lambda: review_tab(window) == "Needs my review (1)", timeout=CALL_TIMEOUT)  # only the fresh one

    assert window.table.select_order(order_id)
    qtbot.waitUntil(lambda: [row[2] for row in window.detail.chain.rows()] == ["dan (director)",
                                                                               "awaiting signature"],
                    timeout=CALL_TIMEOUT)
    # ...but not the director's step after it: four-eyes. Rejecting stays his to do.
    assert not window.decisions[Action.APPROVE].isEnabled()
    assert window.decisions[Action.REJECT].isEnabled()
    assert window.decisions[Action.APPROVE].toolTip() == (
        "The four-eyes rule: you signed a step of this order already, so someone else must sign the next one")

    assert window.table.select_order(fresh)
    qtbot.waitUntil(lambda: window.detail.chain.rows()[:1] == [("1 of 2", "manager", "awaiting signature", "", "")],
                    timeout=CALL_TIMEOUT)
    assert window.decisions[Action.APPROVE].isEnabled()


def test_a_bulk_approval_that_only_signs_a_step_is_counted_apart(
        qtbot: QtBot, open_window: OpenWindow, aio: Aio, policy_settings: Callable[[str], Settings],
        temporal_address: str) -> None:
    from tests.desktop.test_bulk import confirm

    settings = policy_settings("mona")
    window = open_window(settings)
    clerk = aio(OrderService.connect(settings, temporal_address))
    one_step = aio(clerk.create_order(OrderRequest(item="Máy in", quantity=1, unit_price=Decimal(20_000_000)), AN))
    two_steps = aio(clerk.create_order(OrderRequest(item="Máy chủ", quantity=1, unit_price=Decimal(90_000_000)), AN))
    for order_id in (one_step, two_steps):
        wait_status(qtbot, window, order_id, OrderStatus.PENDING_APPROVAL)
    assert window.table.select_orders([one_step, two_steps]) == 2
    bulk = confirm(qtbot, window, Action.APPROVE)
    qtbot.waitUntil(lambda: bulk.finished_all, timeout=CALL_TIMEOUT)

    assert {row[0]: row[2] for row in bulk.rows()} == {one_step: "Approved",
                                                       two_steps: "Signed, awaits the next step"}
    summary = "Approved: 1. Signed, awaiting the next step: 1. Refused: 0."
    qtbot.waitUntil(lambda: bulk.summary.text() == window.messages.text == summary, timeout=CALL_TIMEOUT)
