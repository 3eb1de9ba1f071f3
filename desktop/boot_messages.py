"""What start-up says, in the interface's language.

``DeskRuntime.start`` reports its steps as English sentences; the known ones are recognised here and written
again in the current language, any other is shown as it came.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.errors import TemporalUnavailable
from core.settings import Settings

CONTEXT = "BootProgress"
STEPS = (
    (re.compile(r"Starting the embedded Temporal server on (?P<address>\S+?)…$"),
     QT_TRANSLATE_NOOP("BootProgress", "Starting the embedded Temporal server on {address}…")),
    (re.compile(r"Connecting to Temporal at (?P<address>\S+?)…$"),
     QT_TRANSLATE_NOOP("BootProgress", "Connecting to Temporal at {address}…")),
    (re.compile(r"Starting the embedded worker…$"),
     QT_TRANSLATE_NOOP("BootProgress", "Starting the embedded worker…")),
    (re.compile(r"Ready: Temporal at (?P<address>\S+)$"),
     QT_TRANSLATE_NOOP("BootProgress", "Ready: Temporal at {address}")),
)
EMBEDDED_FAILED = QT_TRANSLATE_NOOP(
    "BootProgress", "The embedded Temporal server could not start on {address}: {error}. Fix the cause (or set "
                    "ORDER_DESK_TEMPORAL_ADDRESS to a running server) and press Retry.")
UNREACHABLE = QT_TRANSLATE_NOOP("BootProgress", "Temporal at {address} could not be reached: {error}")
CHECK_SERVER = QT_TRANSLATE_NOOP(
    "BootProgress", "{error}. Check that the server is running and that ORDER_DESK_TEMPORAL_ADDRESS is right, "
                    "then press Retry.")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def step_text(message: str) -> str:
    for pattern, text in STEPS:
        found = pattern.match(message)
        if found:
            return _tr(text).format(**found.groupdict())
    return message


def boot_failure_message(settings: Settings, address: str, err: BaseException) -> str:
    """Say what failed and what a person can do about it."""
    detail = (str(err) or type(err).__name__).rstrip(".")
    if settings.embedded:
        return _tr(EMBEDDED_FAILED).format(address=address, error=detail)
    if not isinstance(err, TemporalUnavailable):  # its message already names the address
        detail = _tr(UNREACHABLE).format(address=address, error=detail)
    return _tr(CHECK_SERVER).format(error=detail)
