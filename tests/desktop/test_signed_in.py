"""Desks signed in to a team server (``order-desk serve`` as a subprocess, users made with its CLI): a clerk's and a
manager's, each with a data directory of its own, follow each other through ``/events`` without a refresh, and the
server's rules show inline. A revoked token asks to sign in again, keeping what was typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from core.models import Action, OrderStatus
from desktop.connect_dialog import ConnectDialog
from desktop.main_window import MainWindow
from desktop.views import ALL_VIEW
from tests.desktop.conftest import AN
from tests.desktop.helpers import BOOT_TIMEOUT, CALL_TIMEOUT, create_in_form, wait_status
from tests.desktop.team_server import TeamServer

OpenWindow = Callable[..., MainWindow]
SettingsOf = Callable[..., Any]
NO_RESYNC = 3600.0  # seconds: only the change feed can bring a change within a test


def enabled(window: MainWindow) -> dict[Action, bool]:
    return {action: window.decisions[action].isEnabled() for action in Action}


def select(qtbot: QtBot, window: MainWindow, order_id: str) -> None:
    qtbot.waitUntil(lambda: window.controller.model.row_of(order_id) is not None, timeout=CALL_TIMEOUT)
    assert window.table.select_order(order_id)


def sign_in_through_the_menu(qtbot: QtBot, window: MainWindow, url: str, token: str) -> ConnectDialog:
    window.connect_action.trigger()
    dialog = window.connect_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.url_edit.setText(url)
    qtbot.keyClicks(dialog.token_edit, token)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    return dialog


def test_a_clerk_and_a_manager_follow_each_other_and_the_server_decides(
        qtbot: QtBot, open_window: OpenWindow, signed_in_settings: SettingsOf, team: TeamServer,
        tmp_path: Path) -> None:
    clerk = open_window(signed_in_settings(team.url, team.tokens[AN]), refresh_interval=NO_RESYNC)
    assert clerk.status.actor_label.text() == f"Signed in as {AN} (clerk) · {team.url}"
    assert clerk.status.server_label.isHidden() and clerk.status.worker_label.isHidden()
    assert not clerk.worker_action.isEnabled() and clerk.worker_action.toolTip() == "The team server runs the workers"
    assert clerk.controller.runtime.service is None and clerk.controller.runtime.state is None  # no Temporal here
    clerk.table.set_view(ALL_VIEW)

    manager = open_window(signed_in_settings(), wait_ready=False, refresh_interval=NO_RESYNC,
                          state=QSettings(str(tmp_path / "manager.ini"), QSettings.Format.IniFormat))
    dialog = sign_in_through_the_menu(qtbot, manager, team.url, team.tokens["mona"])
    qtbot.waitUntil(lambda: manager.controller.ready and manager.controller.signed_in, timeout=BOOT_TIMEOUT)
    assert dialog.isHidden() and dialog.token_edit.text() == ""
    assert manager.status.actor_label.text() == f"Signed in as mona (manager) · {team.url}"
    assert manager.controller.runtime.service is None  # the embedded default it had begun with is stopped

    with qtbot.waitSignal(manager.notifier.announced, timeout=CALL_TIMEOUT) as announced:
        order_id = create_in_form(qtbot, clerk, "Máy chiếu", 2)
    assert AN in announced.args[1]
    wait_status(qtbot, manager, order_id, OrderStatus.PENDING_APPROVAL)  # no refresh: the feed brought it

    select(qtbot, clerk, order_id)
    wait_status(qtbot, clerk, order_id, OrderStatus.PENDING_APPROVAL)
    assert enabled(clerk) == {Action.APPROVE: False, Action.REJECT: False, Action.CANCEL: True}  # their own
    assert clerk.decisions[Action.APPROVE].toolTip() == "Only a manager may approve"  # the role, not four-eyes
    clerk.controller.decide(Action.APPROVE, [order_id])  # sent anyway, as a window that still offered it would
    qtbot.waitUntil(lambda: clerk.messages.text == f"{order_id}: only a manager may approve", timeout=CALL_TIMEOUT)

    select(qtbot, manager, order_id)
    qtbot.waitUntil(lambda: manager.decisions[Action.APPROVE].isEnabled(), timeout=CALL_TIMEOUT)
    manager.decisions[Action.APPROVE].trigger()
    wait_status(qtbot, clerk, order_id, OrderStatus.APPROVED)  # decided elsewhere, seen here without a refresh
    qtbot.waitUntil(lambda: manager.controller.model.row_of(order_id) is None)  # it left the manager's Pending view

    own = create_in_form(qtbot, manager, "Bàn họp", 1)
    wait_status(qtbot, manager, own, OrderStatus.PENDING_APPROVAL)
    approve = manager.decisions[Action.APPROVE]
    assert not approve.isEnabled() and approve.toolTip() == ("The four-eyes rule: you created this order, so someone "
                                                             "else must approve it")
    assert enabled(manager)[Action.REJECT]
    manager.controller.decide(Action.APPROVE, [own])
    qtbot.waitUntil(lambda: "four-eyes rule" in manager.messages.text, timeout=CALL_TIMEOUT)
    assert manager.controller.model.status_of(own) is OrderStatus.PENDING_APPROVAL
    wait_status(qtbot, clerk, own, OrderStatus.PENDING_APPROVAL)


def test_a_revoked_token_asks_to_sign_in_again_and_keeps_what_was_typed(
        qtbot: QtBot, open_window: OpenWindow, signed_in_settings: SettingsOf, team: TeamServer) -> None:
    token = team.add("Bình", "clerk")
    window = open_window(signed_in_settings(team.url, token), refresh_interval=NO_RESYNC)
    window.form.item_edit.setText("Giấy A4")
    window.form.quantity_edit.setValue(12)

    team.users("revoke", "Bình")  # the open /events stream ends; its reconnection is refused

    qtbot.waitUntil(lambda: window.connect_dialog is not None and window.connect_dialog.isVisible(),
                    timeout=CALL_TIMEOUT)
    dialog = window.connect_dialog
    assert dialog.url_edit.text() == team.url and dialog.token_edit.text() == ""
    assert "revoked" in dialog.reason.text()
    assert window.messages.text.startswith(f"Sign in again to {team.url}: ")
    assert (window.form.item_edit.text(), window.form.quantity_edit.text()) == ("Giấy A4", "12")
    assert window.status.actor_label.text() == "Not signed in: sign in to act on these orders"  # not "as Bình"
    # Nothing is offered that would send the refused token again, even if the dialog is put away.
    qtbot.waitUntil(lambda: not window.controller.ready, timeout=CALL_TIMEOUT)
    assert not window.form.isEnabled() and not any(enabled(window).values())

    qtbot.keyClicks(dialog.token_edit, token)  # the revoked token again: refused in the dialog
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=CALL_TIMEOUT)
    assert "revoked" in dialog.error.text() and dialog.isVisible()

    dialog.token_edit.setText(team.users("rotate", "Bình"))  # a new token reinstates Bình
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.isHidden, timeout=CALL_TIMEOUT)
    qtbot.waitUntil(lambda: window.controller.ready, timeout=CALL_TIMEOUT)
    assert window.status.actor_label.text() == f"Signed in as Bình (clerk) · {team.url}"
    assert window.form.isEnabled() and window.form.item_edit.text() == "Giấy A4"
    assert (window.form.item_edit.text(), window.form.quantity_edit.text()) == ("Giấy A4", "12")
    qtbot.keyClick(window.form.item_edit, Qt.Key.Key_Return)  # the command, sent again
    qtbot.waitUntil(lambda: window.form.item_edit.text() == "", timeout=CALL_TIMEOUT)
    order_id = window.table.current_order_id()
    assert window.controller.model.summary(order_id).created_by == "Bình"


def test_a_long_name_and_server_address_do_not_widen_the_window(open_window: OpenWindow) -> None:
    """Signing in put "Signed in as <name> (manager) · <URL>" in the status bar, which widened the window."""
    from core.models import Actor, Role
    from desktop.session import Session

    window = open_window()
    window.resize(800, 600)
    name, url = "Nguyễn " + "Thị Minh Khai " * 5, "https://orders.a-rather-long-company-name.example.com.vn:18281"
    window.status.set_session(Session(Actor(name=name.strip(), role=Role.MANAGER), frozenset(), True, url))
    assert window.minimumSizeHint().width() <= 800
    assert window.status.actor_label.toolTip() == f"Signed in as {name.strip()} (manager) · {url}"
