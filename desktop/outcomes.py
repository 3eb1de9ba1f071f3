"""What a decision did, in the interface's language: one order's new status, and the tally of a decision on
several orders. The controller's messages and the bulk dialog say it in the same words."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.models import Action, OrderStatus
from desktop import formatting
from desktop.views import status_text

CONTEXT = "Outcome"
DECIDED = {
    OrderStatus.APPROVED: QT_TRANSLATE_NOOP("Outcome", "Order {order} approved."),
    OrderStatus.REJECTED: QT_TRANSLATE_NOOP("Outcome", "Order {order} rejected."),
    OrderStatus.CANCELLED: QT_TRANSLATE_NOOP("Outcome", "Order {order} cancelled."),
}
NOW = QT_TRANSLATE_NOOP("Outcome", "Order {order} is now {status}.")
TALLY = {
    Action.APPROVE: QT_TRANSLATE_NOOP("Outcome", "Approved: {ok}. Refused: {refused}."),
    Action.REJECT: QT_TRANSLATE_NOOP("Outcome", "Rejected: {ok}. Refused: {refused}."),
    Action.CANCEL: QT_TRANSLATE_NOOP("Outcome", "Cancelled: {ok}. Refused: {refused}."),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def decided_text(order_id: str, status: OrderStatus) -> str:
    if status in DECIDED:
        return _tr(DECIDED[status]).format(order=order_id)
    return _tr(NOW).format(order=order_id, status=status_text(status).lower())


def tally_text(action: Action, ok: int, refused: int) -> str:
    """``Approved: 3. Refused: 1.``"""
    return _tr(TALLY[action]).format(ok=formatting.number(ok), refused=formatting.number(refused))
