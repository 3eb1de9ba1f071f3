"""A desk that is not signed in refuses to act on a ledger that holds users: there, identity comes from a verified
token, never from what ``ORDER_DESK_ACTOR`` and ``ORDER_DESK_ROLES`` claim. It starts nothing and asks to sign in
to the team server, saying why; signed in, it works as any signed-in desk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.ledger import Ledger
from core.models import Role
from core.runtime import DeskRuntime
from core.settings import Settings
from core.users import Users, ledger_has_users
from desktop.main_window import MainWindow
from tests.desktop.conftest import AN
from tests.desktop.helpers import BOOT_TIMEOUT, CALL_TIMEOUT, create_in_form
from tests.desktop.team_server import TeamServer

OpenWindow = Callable[..., MainWindow]
WHY = ("This desk's ledger has users, so it belongs to a team server: there, who you are comes from your personal "
       "token, never from this computer's settings. Sign in to the team server with your token (File → Connect to "
       "server…).")


def add_user(settings: Settings, name: str, role: Role) -> None:
    ledger = Ledger(settings.ledger_url)
    try:
        Users(ledger.users).add(name, role)
    finally:
        ledger.close()


def test_whether_a_ledger_has_users_is_read_without_changing_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert not ledger_has_users(url)  # nothing there yet: not even the users table
    Ledger(url).close()
    assert not ledger_has_users(url)
    ledger = Ledger(url)
    try:
        Users(ledger.users).add("mona", Role.MANAGER)
        Users(ledger.users).revoke("mona")
    finally:
        ledger.close()
    assert ledger_has_users(url)  # a revoked user still makes it a team's ledger


def test_a_desk_on_a_ledger_with_users_asks_to_sign_in_instead_of_acting(
        qtbot: QtBot, open_window: OpenWindow, desk_settings: Settings, team: TeamServer) -> None:
    settings = desk_settings.model_copy(update={"actor": "mona", "roles": {"mona": Role.MANAGER}})
    add_user(settings, "mona", Role.MANAGER)

    window = open_window(settings, wait_ready=False)

    qtbot.waitUntil(lambda: window.connect_dialog is not None and window.connect_dialog.isVisible(),
                    timeout=BOOT_TIMEOUT)
    dialog = window.connect_dialog
    assert dialog.reason.text() == WHY
    assert window.messages.text == WHY
    runtime: DeskRuntime = window.controller.runtime
    assert runtime.service is None and runtime.state is None and runtime.worker is None  # nothing started
    assert not window.controller.ready and not window.form.isEnabled()
    assert not window.controller.busy("boot")  # type: ignore[arg-type]
    assert window.status.actor_label.text() == "Not signed in: sign in to act on these orders"  # not "as mona"

    dialog.url_edit.setText(team.url)
    qtbot.keyClicks(dialog.token_edit, team.tokens[AN])
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.ready and window.controller.signed_in, timeout=CALL_TIMEOUT)
    order_id = create_in_form(qtbot, window, "Giấy in", 3)
    assert window.controller.model.summary(order_id).created_by == AN  # the token's user, not the claimed mona
