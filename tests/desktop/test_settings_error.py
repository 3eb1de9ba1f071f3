"""``order-desk`` (the desk) on settings it cannot use, an invalid approval policy above all: someone who
double-clicked it reads no stderr, so a message box says which file and why, and the app then exits 2."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from core.cli import main

OVERLAP = """
currency = "VND"
[[tiers]]
up_to = 5000000
approvers = []
[[tiers]]
up_to = 5000000
approvers = ["manager"]
[[tiers]]
approvers = ["manager", "director"]
"""


@pytest.fixture
def app_as_it_was(qt_isolated: QApplication) -> Iterator[QApplication]:
    """The desk's ``application()`` names and styles the app, and its language sets the default locale: the other
    tests get them back as they had them."""
    names = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    locale = QLocale()
    yield qt_isolated
    QLocale.setDefault(locale)
    QCoreApplication.setOrganizationName(names[0])
    QCoreApplication.setApplicationName(names[1])
    qt_isolated.setStyleSheet("")


def answer_the_box(seen: list[tuple[str, str, str]]) -> None:
    """Read the message box once it is open, then close it as a person would."""
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        seen.append((box.windowTitle(), box.text(), box.informativeText()))
        box.accept()
    else:
        QTimer.singleShot(10, lambda: answer_the_box(seen))


@pytest.mark.parametrize(("language", "title", "head", "fix"), [
    ("en", "Order Desk cannot start", "The approval policy {path} cannot be used.", "Correct it and start"),
    ("vi", "Order Desk không khởi động được", "Không dùng được chính sách phê duyệt {path}.", "Hãy sửa lại"),
])
def test_an_invalid_policy_is_shown_in_a_message_box_and_the_desk_exits_2(
        qtbot: QtBot, app_as_it_was: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], language: str, title: str, head: str, fix: str) -> None:
    policy = tmp_path / "approvals.toml"
    policy.write_text(OVERLAP)
    for name in [name for name in os.environ if name.startswith("ORDER_DESK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ORDER_DESK_APPROVAL_POLICY", str(policy))
    monkeypatch.setenv("ORDER_DESK_LANGUAGE", language)
    monkeypatch.chdir(tmp_path)  # no .env but ours
    why = (f"{policy}: tier 2: up_to 5000000 is not above the tier before it (5000000): the tiers overlap; list "
           f"them from the smallest amount up")
    seen: list[tuple[str, str, str]] = []
    QTimer.singleShot(0, lambda: answer_the_box(seen))

    assert main(["gui"]) == 2

    [(shown_title, text, informative)] = seen
    assert shown_title == title
    assert text == f"{head.format(path=policy)}\n{why}"
    assert informative.startswith(fix) and "order-desk policy check" in informative
    assert capsys.readouterr().err == f"order-desk: ORDER_DESK_APPROVAL_POLICY: {why}\n"
    assert QApplication.activeModalWidget() is None


@pytest.mark.parametrize(("language", "head", "fix"), [
    ("en", "The setting ORDER_DESK_ACTOR cannot be used.", "Correct it and start Order Desk again."),
    ("vi", "Không dùng được thiết lập ORDER_DESK_ACTOR.", "Hãy sửa lại rồi khởi động Order Desk lần nữa."),
])
def test_a_setting_that_is_no_policy_is_named_without_the_policy_hint(
        qtbot: QtBot, app_as_it_was: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], language: str, head: str, fix: str) -> None:
    """``ORDER_DESK_ACTOR=system`` (what the history names Order Desk's own acts): the box names the variable and
    why, and says only to correct it (the hint about policy files was shown for every setting)."""
    for name in [name for name in os.environ if name.startswith("ORDER_DESK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ORDER_DESK_ACTOR", "system")
    monkeypatch.setenv("ORDER_DESK_LANGUAGE", language)
    monkeypatch.chdir(tmp_path)
    seen: list[tuple[str, str, str]] = []
    QTimer.singleShot(0, lambda: answer_the_box(seen))

    assert main(["gui"]) == 2

    [(_title, text, informative)] = seen
    assert text == f"{head}\n'system' is reserved: it names what Order Desk does itself"
    assert informative == fix
    assert capsys.readouterr().err == "order-desk: ORDER_DESK_ACTOR: 'system' is reserved: it names what Order Desk " \
                                      "does itself\n"
