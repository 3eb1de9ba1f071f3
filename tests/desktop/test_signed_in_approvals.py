"""Issue 18 through a signed-in desk: prices, the awaited role, the approval chain and ``needs_review_by=me``
travel through ``HttpOrderService`` from a team server (``order-desk serve`` as a subprocess, with a USD approval
policy) to a clerk's and a manager's desks, and the server's step rules show inline. The desks' own settings say
VND: the form offers the server's currency all the same."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from core.models import Action, OrderStatus
from desktop.main_window import MainWindow
from desktop.orders_model import Column
from desktop.review_count import REVIEW
from desktop.views import ALL_VIEW, REVIEW_VIEW, VIEWS
from tests.desktop.conftest import AN
from tests.desktop.helpers import CALL_TIMEOUT, create_in_form, wait_status
from tests.desktop.team_server import TeamServer, start_team_server, stop_team_server

OpenWindow = Callable[..., MainWindow]
SettingsOf = Callable[..., Any]
NO_RESYNC = 3600.0  # seconds: only the change feed can bring a change within a test
POLICY = """
currency = "USD"
[[tiers]]
up_to = 100
approvers = []
[[tiers]]
up_to = 10000
approvers = ["manager", "director"]
[[tiers]]
approvers = ["director"]
"""


@pytest.fixture(scope="module")
def usd_team(temporal_address: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamServer]:
    """A team server whose approval policy is in USD, with a clerk (An) and a manager (mona)."""
    directory = tmp_path_factory.mktemp("usd-team")
    policy = directory / "approvals.toml"
    policy.write_text(POLICY)
    server = start_team_server(temporal_address, directory / "server", {AN: "clerk", "mona": "manager"},
                               policy=policy)
    try:
        yield server
    finally:
        stop_team_server(server, "mona")


def review_tab(window: MainWindow) -> str:
    return window.table.tabs.tabText(VIEWS.index(REVIEW_VIEW))


def cell(window: MainWindow, order_id: str, column: Column) -> str:
    model = window.controller.model
    row = model.row_of(order_id)
    assert row is not None
    return model.index(row, column).data()


def create_priced(qtbot: QtBot, window: MainWindow, item: str, quantity: int, price: str) -> str:
    """Type an order with a price in the form, leaving the currency the form offers, and press Enter."""
    window.form.price_edit.setText(price)
    return create_in_form(qtbot, window, item, quantity)


def settled_review_count(qtbot: QtBot, window: MainWindow) -> str:
    """The review tab's title once a count asked now (after everything the test made) has landed."""
    window.controller.review.ask()
    qtbot.waitUntil(lambda: not window.controller.busy(REVIEW), timeout=CALL_TIMEOUT)  # type: ignore[arg-type]
    return review_tab(window)


def test_a_signed_in_desk_offers_the_servers_currency_not_its_own(
        open_window: OpenWindow, signed_in_settings: SettingsOf, usd_team: TeamServer) -> None:
    settings = signed_in_settings(usd_team.url, usd_team.tokens[AN])
    assert settings.default_currency == "VND"  # what this desk would price in on its own
    clerk = open_window(settings, refresh_interval=NO_RESYNC)
    assert clerk.controller.default_currency == "USD"
    assert clerk.form.currency_edit.text() == "USD"


def test_prices_steps_and_the_review_tab_reach_signed_in_desks(
        qtbot: QtBot, open_window: OpenWindow, signed_in_settings: SettingsOf, usd_team: TeamServer,
        tmp_path: Path) -> None:
    clerk = open_window(signed_in_settings(usd_team.url, usd_team.tokens[AN]), refresh_interval=NO_RESYNC)
    clerk.table.set_view(ALL_VIEW)
    manager = open_window(signed_in_settings(usd_team.url, usd_team.tokens["mona"]), refresh_interval=NO_RESYNC,
                          state=QSettings(str(tmp_path / "manager.ini"), QSettings.Format.IniFormat))

    own = create_priced(qtbot, manager, "Bàn họp", 1, "500")  # mona's own: never hers to review (four-eyes)
    order_id = create_priced(qtbot, clerk, "Máy chiếu", 2, "1,250.50")
    summary = clerk.controller.model.summary(order_id)
    assert (summary.unit_price, summary.currency, summary.amount) == (Decimal("1250.50"), "USD", Decimal("2501.00"))

    # The manager's desk: the Amount and Awaiting cells, and a count of what she may sign (needs_review_by=me).
    wait_status(qtbot, manager, own, OrderStatus.PENDING_APPROVAL)
    wait_status(qtbot, manager, order_id, OrderStatus.PENDING_APPROVAL)
    assert cell(manager, order_id, Column.AMOUNT) == "USD\u00a02,501.00"
    assert cell(manager, order_id, Column.AWAITING) == "manager"
    assert cell(manager, own, Column.AWAITING) == "manager"
    assert settled_review_count(qtbot, manager) == "Needs my review (1)"
    manager.table.set_view(REVIEW_VIEW)
    qtbot.waitUntil(lambda: manager.controller.model.order_ids() == [order_id], timeout=CALL_TIMEOUT)

    # She signs step one; the chain shows her signature and the director's step still open.
    assert manager.table.select_order(order_id)
    qtbot.waitUntil(lambda: manager.detail.chain.rows() == [
        ("1 of 2", "manager", "awaiting signature", "", ""), ("2 of 2", "director", "", "", "")],
        timeout=CALL_TIMEOUT)
    qtbot.waitUntil(lambda: manager.decisions[Action.APPROVE].isEnabled(), timeout=CALL_TIMEOUT)
    manager.decisions[Action.APPROVE].trigger()
    qtbot.waitUntil(lambda: review_tab(manager) == "Needs my review (0)", timeout=CALL_TIMEOUT)
    qtbot.waitUntil(lambda: manager.controller.model.row_of(order_id) is None, timeout=CALL_TIMEOUT)
    manager.table.set_view(ALL_VIEW)
    qtbot.waitUntil(lambda: manager.controller.model.row_of(order_id) is not None, timeout=CALL_TIMEOUT)
    qtbot.waitUntil(lambda: cell(manager, order_id, Column.AWAITING) == "director", timeout=CALL_TIMEOUT)
    assert manager.table.select_order(order_id)
    qtbot.waitUntil(lambda: [row[:3] for row in manager.detail.chain.rows()] == [
        ("1 of 2", "manager", "mona (manager)"), ("2 of 2", "director", "awaiting signature")], timeout=CALL_TIMEOUT)
    assert manager.detail.fields["amount"].text() == "USD\u00a02,501.00"
    assert manager.detail.fields["awaiting"].text() == "a director's signature"
    wait_status(qtbot, clerk, order_id, OrderStatus.PENDING_APPROVAL)
    qtbot.waitUntil(lambda: cell(clerk, order_id, Column.AWAITING) == "director", timeout=CALL_TIMEOUT)

    # The director's step is not hers: approve and reject are off, and forced through, the server refuses inline.
    assert not manager.decisions[Action.APPROVE].isEnabled() and not manager.decisions[Action.REJECT].isEnabled()
    assert manager.decisions[Action.CANCEL].isEnabled()
    manager.controller.decide(Action.APPROVE, [order_id])
    qtbot.waitUntil(lambda: manager.messages.text == f"{order_id}: this step awaits the signature of a higher role "
                                                     f"than yours", timeout=CALL_TIMEOUT)
    manager.controller.decide(Action.REJECT, [order_id])
    qtbot.waitUntil(lambda: manager.messages.text == f"{order_id}: this step awaits a higher role than yours: only "
                                                     f"it may reject", timeout=CALL_TIMEOUT)
    assert manager.controller.model.status_of(order_id) is OrderStatus.PENDING_APPROVAL
    assert cell(manager, order_id, Column.AWAITING) == "director"
