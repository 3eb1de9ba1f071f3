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
SIGNED = QT_TRANSLATE_NOOP("Outcome", "Order {order}: your approval is recorded; it awaits the next step.")
SIGNED_ROW = QT_TRANSLATE_NOOP("Outcome", "Signed, awaits the next step")
TALLY = {
    Action.APPROVE: QT_TRANSLATE_NOOP("Outcome", "Approved: {ok}. Refused: {refused}."),
    Action.REJECT: QT_TRANSLATE_NOOP("Outcome", "Rejected: {ok}. Refused: {refused}."),
    Action.CANCEL: QT_TRANSLATE_NOOP("Outcome", "Cancelled: {ok}. Refused: {refused}."),
}
SIGNED_TALLY = QT_TRANSLATE_NOOP("Outcome", "Approved: {ok}. Signed, awaiting the next step: {signed}. "
                                            "Refused: {refused}.")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def signed_only(action: Action, status: OrderStatus | None) -> bool:
    """An approval that signed a step and left the order awaiting the next one: recorded, not yet approved."""
    return action is Action.APPROVE and status is OrderStatus.PENDING_APPROVAL


def decided_text(action: Action, order_id: str, status: OrderStatus) -> str:
    if signed_only(action, status):
        return _tr(SIGNED).format(order=order_id)
    if status in DECIDED:
        return _tr(DECIDED[status]).format(order=order_id)
    return _tr(NOW).format(order=order_id, status=status_text(status).lower())


def outcome_text(action: Action, status: OrderStatus) -> str:
    """An applied decision's outcome in a list of them: the new status, or that a step was signed."""
    return _tr(SIGNED_ROW) if signed_only(action, status) else status_text(status)


def tally_text(action: Action, ok: int, refused: int, signed: int = 0) -> str:
    """``Approved: 3. Refused: 1.``; ``signed`` of the ``ok`` approvals only signed a step (said apart)."""
    if signed:
        return _tr(SIGNED_TALLY).format(ok=formatting.number(ok - signed), signed=formatting.number(signed),
                                        refused=formatting.number(refused))
    return _tr(TALLY[action]).format(ok=formatting.number(ok), refused=formatting.number(refused))
