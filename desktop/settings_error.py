"""The desk's word when its settings cannot be used (an invalid approval policy, say): someone who double-clicked
Order Desk reads no terminal, so besides the line on stderr a message box says which setting, which file, and why;
then ``order-desk`` exits 2, as every face does on such settings.

It runs before any event loop, so the box's own modal loop blocks nothing. The settings failed, so the language
is ``ORDER_DESK_LANGUAGE`` read as it is, else the one last chosen in the menu, else the system's. The reason
itself is the validator's own words (English, like an error from the system), inside the translated sentence.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from core.settings import SettingProblem
from desktop.i18n import Translations, choose_language
from desktop.window_state import WindowState

CONTEXT = "SettingsError"
TITLE = QT_TRANSLATE_NOOP("SettingsError", "Order Desk cannot start")
POLICY = QT_TRANSLATE_NOOP("SettingsError", "The approval policy {path} cannot be used.")
SETTING = QT_TRANSLATE_NOOP("SettingsError", "The setting {variable} cannot be used.")
FIX = QT_TRANSLATE_NOOP("SettingsError", "Correct it and start Order Desk again.")
POLICY_FIX = QT_TRANSLATE_NOOP("SettingsError", "Correct it and start Order Desk again. (order-desk policy check FILE "
                                                "says what is wrong with a policy file.)")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def problem_text(problem: SettingProblem) -> str:
    """``The approval policy /etc/approvals.toml cannot be used.``, then why."""
    if problem.path is not None:
        head = _tr(POLICY).format(path=problem.path)
    else:
        head = _tr(SETTING).format(variable=problem.variable)
    return f"{head}\n{problem.why}"


def can_show() -> bool:
    """Whether a window can open at all: on Linux, only with a display (or a platform set, such as offscreen);
    without one Qt would abort the process instead of letting it exit 2."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def show_setting_problems(problems: list[SettingProblem]) -> None:
    """A message box with every problem; returns once the person closed it."""
    if not problems or not can_show():
        return
    from desktop.app import application

    app = application()
    translations = Translations(app)
    translations.apply(choose_language(os.environ.get("ORDER_DESK_LANGUAGE"), WindowState(QSettings()).language))
    try:
        box = QMessageBox(QMessageBox.Icon.Critical, _tr(TITLE), "\n\n".join(map(problem_text, problems)))
        box.setObjectName("settingsError")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(_tr(POLICY_FIX if any(problem.path for problem in problems) else FIX))
        box.exec()
    finally:
        translations.release()
