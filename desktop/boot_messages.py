"""What start-up says, in the interface's language: ``DeskRuntime.start`` reports typed steps, worded here."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.errors import LedgerTooNew, TemporalUnavailable
from core.runtime import BootStep
from core.settings import Settings

CONTEXT = "BootProgress"
STEPS = {
    BootStep.STARTING_SERVER: QT_TRANSLATE_NOOP("BootProgress", "Starting the embedded Temporal server on {address}…"),
    BootStep.CONNECTING: QT_TRANSLATE_NOOP("BootProgress", "Connecting to Temporal at {address}…"),
    BootStep.STARTING_WORKER: QT_TRANSLATE_NOOP("BootProgress", "Starting the embedded worker…"),
    BootStep.READY: QT_TRANSLATE_NOOP("BootProgress", "Ready: Temporal at {address}"),
}
EMBEDDED_FAILED = QT_TRANSLATE_NOOP(
    "BootProgress", "The embedded Temporal server could not start on {address}: {error}. Fix the cause (or set "
                    "ORDER_DESK_TEMPORAL_ADDRESS to a running server) and press Retry.")
UNREACHABLE = QT_TRANSLATE_NOOP("BootProgress", "Temporal at {address} could not be reached: {error}")
CHECK_SERVER = QT_TRANSLATE_NOOP(
    "BootProgress", "{error}. Check that the server is running and that ORDER_DESK_TEMPORAL_ADDRESS is right, "
                    "then press Retry.")

LEDGER_TOO_NEW = QT_TRANSLATE_NOOP("BootProgress", "Order Desk cannot open this desk's ledger: {error}.")

TEAM_LEDGER = QT_TRANSLATE_NOOP(
    "BootProgress", "This desk's ledger has users, so it belongs to a team server: there, who you are comes from "
                    "your personal token, never from this computer's settings. Sign in to the team server with your "
                    "token (File → Connect to server…).")


class TeamLedger(Exception):
    """The desk's ledger holds users: the desk does not start on it, it asks the person to sign in instead."""


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def step_text(step: BootStep, address: str) -> str:
    return _tr(STEPS[step]).format(address=address)


def boot_failure_message(settings: Settings, address: str, err: BaseException) -> str:
    """Say what failed and what a person can do about it."""
    if isinstance(err, TeamLedger):
        return _tr(TEAM_LEDGER)
    detail = (str(err) or type(err).__name__).rstrip(".")
    if isinstance(err, LedgerTooNew):  # Temporal is fine, and Retry cannot help
        return _tr(LEDGER_TOO_NEW).format(error=detail)
    if settings.embedded:
        return _tr(EMBEDDED_FAILED).format(address=address, error=detail)
    if not isinstance(err, TemporalUnavailable):  # its message already names the address
        detail = _tr(UNREACHABLE).format(address=address, error=detail)
    return _tr(CHECK_SERVER).format(error=detail)
