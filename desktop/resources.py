"""Icons and the stylesheet from the repository's ``resources/`` folder (or a PyInstaller bundle).

A missing file gives an empty icon or stylesheet rather than an error: the desk works without them.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

from core.models import OrderStatus


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@cache
def icon(name: str) -> QIcon:
    """``icon("refresh")`` loads ``resources/icons/refresh.svg``; cached, as views ask for icons per row."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def status_icon(status: OrderStatus) -> QIcon:
    """``resources/icons/status-<name>.svg``; ``PENDING_APPROVAL`` is ``status-pending``."""
    return icon("status-" + status.value.lower().removesuffix("_approval"))


def stylesheet() -> str:
    path = resources_dir() / "desk.qss"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
