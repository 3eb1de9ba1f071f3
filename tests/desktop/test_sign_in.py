"""Signing in and out as a person does it: the token goes to the keyring (never QSettings or the log) and signs the
next start in by itself; without a keyring the desk says the token lasts this session only; HTTPS with a private
CA's certificate (``ORDER_DESK_SERVER_CA``), and a certificate the desk does not trust refused in words."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.tokens import KEYRING_SERVICE
from tests.certificates import self_signed
from tests.desktop.conftest import MemoryKeyring
from tests.desktop.helpers import BOOT_TIMEOUT, CALL_TIMEOUT, close_window, run_until_done
from tests.desktop.team_server import TeamServer, start_team_server, stop_team_server

OpenWindow = Callable[..., MainWindow]
SettingsOf = Callable[..., Any]


def sign_in(qtbot: QtBot, window: MainWindow, url: str, token: str) -> None:
    window.connect_action.trigger()
    dialog = window.connect_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.url_edit.setText(url)
    qtbot.keyClicks(dialog.token_edit, token)
    qtbot.keyClick(dialog.token_edit, Qt.Key.Key_Return)


def test_the_token_goes_to_the_keyring_and_signs_the_next_start_in(
        qtbot: QtBot, open_window: OpenWindow, signed_in_settings: SettingsOf, team: TeamServer,
        memory_keyring: MemoryKeyring, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    token = team.add("linh", "manager")
    ini = tmp_path / "linh.ini"
    settings = signed_in_settings()
    window = open_window(settings, state=QSettings(str(ini), QSettings.Format.IniFormat))  # the embedded default
    assert window.connect_dialog is None and not window.sign_out_action.isEnabled()

    sign_in(qtbot, window, team.url, token)
    qtbot.waitUntil(lambda: window.controller.signed_in and window.controller.ready, timeout=CALL_TIMEOUT)
    assert memory_keyring.passwords == {(KEYRING_SERVICE, team.url): token}
    assert window.messages.text == f"Signed in to {team.url} as linh."
    assert window.worker_action.toolTip() == "The team server runs the workers"
    close_window(qtbot, window)

    again = open_window(settings, state=QSettings(str(ini), QSettings.Format.IniFormat))  # no dialog, no typing
    assert again.controller.signed_in and again.status.actor_label.text().startswith("Signed in as linh (manager)")
    assert again.connect_dialog is None

    again.sign_out_action.trigger()
    qtbot.waitUntil(lambda: not again.controller.signed_in and again.controller.ready
                    and again.controller.worker_running, timeout=BOOT_TIMEOUT)
    assert memory_keyring.passwords == {}
    assert again.status.actor_label.text() == "Acting as desk-tester" and again.status.worker_label.isVisible()
    close_window(qtbot, again)

    assert len(memory_keyring.writers) == 3 and threading.main_thread().name not in memory_keyring.writers
    assert token not in ini.read_text(encoding="utf-8") and team.url in ini.read_text(encoding="utf-8")
    assert token not in caplog.text and token not in team.served.output()


def test_without_a_keyring_the_token_is_kept_for_the_session_only(
        qtbot: QtBot, open_window: OpenWindow, signed_in_settings: SettingsOf, team: TeamServer,
        no_keyring: None, tmp_path: Path) -> None:
    token = team.add("hoa", "clerk")
    state = QSettings(str(tmp_path / "hoa.ini"), QSettings.Format.IniFormat)
    window = open_window(signed_in_settings(), wait_ready=False, state=state)
    window.connect_action.trigger()
    assert window.connect_dialog.note.text() == ("This computer has no keyring: your token will be kept for this "
                                                 "session only.")
    window.connect_dialog.reject()
    sign_in(qtbot, window, team.url, token)
    qtbot.waitUntil(lambda: window.controller.signed_in and window.controller.ready, timeout=CALL_TIMEOUT)
    assert "your token is kept for this session only" in window.messages.text
    close_window(qtbot, window)

    # Closed signed in: the next start asks for the token (it was not kept), never a desk of its own meanwhile.
    again = open_window(signed_in_settings(), wait_ready=False, state=state)
    qtbot.waitUntil(lambda: again.connect_dialog is not None and again.connect_dialog.isVisible())
    assert again.connect_dialog.reason.text() == f"Enter your personal token for {team.url}."
    assert again.controller.signed_in and again.controller.runtime.service is None and not again.controller.ready
    assert again.status.server_label.isHidden() and again.status.worker_label.isHidden()  # nothing of its own runs
    sign_in(qtbot, again, team.url, token)
    qtbot.waitUntil(lambda: again.controller.ready, timeout=CALL_TIMEOUT)
    again.sign_out_action.trigger()
    qtbot.waitUntil(lambda: not again.controller.signed_in and again.controller.ready, timeout=BOOT_TIMEOUT)
    close_window(qtbot, again)

    local = open_window(signed_in_settings(), state=state)  # signed out: its own desk, nothing asked
    assert not local.controller.signed_in and local.connect_dialog is None


def test_a_desk_with_a_server_url_but_no_token_asks_for_it(
        qtbot: QtBot, open_window: OpenWindow, signed_in_settings: SettingsOf, team: TeamServer) -> None:
    window = open_window(signed_in_settings(team.url.replace("http://", "")), wait_ready=False)
    qtbot.waitUntil(lambda: window.connect_dialog is not None and window.connect_dialog.isVisible())
    dialog = window.connect_dialog
    assert dialog.reason.text() == f"Enter your personal token for {team.url.replace('http://', 'https://')}."
    dialog.url_edit.setText("http://orders.example.com:8000")
    qtbot.keyClicks(dialog.token_edit, "odt_whatever")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible)
    assert dialog.error.text().startswith("This address cannot be used: ")
    assert "use https://" in dialog.error.text() and window.controller.runtime.service is None


@pytest.fixture
def tls_team(temporal_address: str, tmp_path: Path, qtbot: QtBot) -> Iterator[TeamServer]:
    server = start_team_server(temporal_address, tmp_path / "tls-team", {"mona": "manager"},
                               tls=self_signed(tmp_path))
    try:
        yield server
    finally:
        stop_team_server(server, "mona", lambda settling: run_until_done(qtbot, settling, 70_000))


def test_https_is_verified_against_the_private_ca(qtbot: QtBot, open_window: OpenWindow,
                                                 signed_in_settings: SettingsOf, tls_team: TeamServer) -> None:
    token = tls_team.tokens["mona"]
    trusting = open_window(signed_in_settings(tls_team.url, token, server_ca=tls_team.ca))
    assert trusting.status.actor_label.text() == f"Signed in as mona (manager) · {tls_team.url}"
    assert tls_team.url.startswith("https://")

    stranger = open_window(signed_in_settings(tls_team.url, token), wait_ready=False)  # the system's CAs only
    qtbot.waitUntil(lambda: stranger.messages.severity == "error", timeout=CALL_TIMEOUT)
    assert stranger.messages.text.startswith("The server's certificate is not trusted: ")
    assert "ORDER_DESK_SERVER_CA" in stranger.messages.text and not stranger.controller.ready


def test_a_long_refusal_is_shown_whole_and_the_fields_keep_their_height(qtbot: QtBot) -> None:
    """An open dialog did not grow: a long reason was cut off and the fields squeezed to a few pixels."""
    from desktop.connect_dialog import ConnectDialog

    dialog = ConnectDialog(session_only=True)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.prepare("https://127.0.0.1:18281", "The server refused your token: it was revoked. Ask for a new one.")
    dialog.show_error("The server does not answer: the server at https://127.0.0.1:18281 does not answer: "
                      + "a cause in many words " * 12)
    for label in (dialog.reason, dialog.error):
        assert label.height() >= label.heightForWidth(label.width())
    for field in (dialog.url_edit, dialog.token_edit):
        assert field.height() >= field.sizeHint().height()
