"""Why a decision was refused, in the interface's language.

The service's typed errors (and ``BulkOutcome``) carry an ``ErrorCode`` and the order's status now, which is all
the desk needs to say it in Vietnamese too: the text is chosen by code, never by reading the English message.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.errors import ErrorCode
from core.models import Action, OrderStatus
from desktop.views import status_text

CONTEXT = "Refusal"
CANNOT_FROM = {
    Action.APPROVE: QT_TRANSLATE_NOOP("Refusal", "cannot approve an order that is {status}"),
    Action.REJECT: QT_TRANSLATE_NOOP("Refusal", "cannot reject an order that is {status}"),
    Action.CANCEL: QT_TRANSLATE_NOOP("Refusal", "cannot cancel an order that is {status}"),
}
CANNOT_NOW = {
    Action.APPROVE: QT_TRANSLATE_NOOP("Refusal", "this order cannot be approved now"),
    Action.REJECT: QT_TRANSLATE_NOOP("Refusal", "this order cannot be rejected now"),
    Action.CANCEL: QT_TRANSLATE_NOOP("Refusal", "this order cannot be cancelled now"),
}
MANAGER_ONLY = {
    Action.APPROVE: QT_TRANSLATE_NOOP("Refusal", "only a manager may approve"),
    Action.REJECT: QT_TRANSLATE_NOOP("Refusal", "only a manager may reject"),
    Action.CANCEL: QT_TRANSLATE_NOOP("Refusal", "only a manager may cancel"),
}
NOT_ALLOWED = {
    Action.APPROVE: QT_TRANSLATE_NOOP("Refusal", "you may not approve this order"),
    Action.REJECT: QT_TRANSLATE_NOOP("Refusal", "you may not reject this order"),
    Action.CANCEL: QT_TRANSLATE_NOOP("Refusal", "you may not cancel this order"),
}
FOUR_EYES = QT_TRANSLATE_NOOP("Refusal", "the four-eyes rule: you created this order, so someone else must approve it")
ALREADY_SIGNED = QT_TRANSLATE_NOOP("Refusal", "the four-eyes rule: you signed a step of this order already, so "
                                              "someone else must sign the next one")
WRONG_STEP_ROLE = {
    Action.APPROVE: QT_TRANSLATE_NOOP("Refusal", "this step awaits the signature of a higher role than yours"),
    Action.REJECT: QT_TRANSLATE_NOOP("Refusal", "this step awaits a higher role than yours: only it may reject"),
    Action.CANCEL: QT_TRANSLATE_NOOP("Refusal", "this step awaits a higher role than yours"),
}
ROLE_REQUIRED = QT_TRANSLATE_NOOP("Refusal", "an order of a team server is decided by a signed-in user with a role")
CLERK_OWN = QT_TRANSLATE_NOOP("Refusal", "a clerk may cancel only their own orders")
NOT_FOUND = QT_TRANSLATE_NOOP("Refusal", "the order was not found")
NO_WORKER = QT_TRANSLATE_NOOP("Refusal", "no worker took the decision in time; it may still be applied once a worker "
                                         "runs (look at the order before deciding again); is a worker running?")
UNAVAILABLE = QT_TRANSLATE_NOOP("Refusal", "the service did not answer: {error}")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def refusal_text(action: Action, code: str | None, status: OrderStatus | None, message: str | None = None) -> str:
    """One refused decision, as a clause: ``cannot approve an order that is cancelled``. ``message`` (the
    service's own words) is shown only inside the "did not answer" text, for a cause the desk cannot name."""
    if code == ErrorCode.INVALID_TRANSITION:
        return _tr(CANNOT_NOW[action]) if status is None else _tr(CANNOT_FROM[action]).format(
            status=status_text(status).lower())
    if code == ErrorCode.MANAGER_ONLY:
        return _tr(MANAGER_ONLY[action])
    if code == ErrorCode.OWN_ORDERS_ONLY:
        return _tr(CLERK_OWN)
    if code == ErrorCode.FOUR_EYES:
        return _tr(FOUR_EYES)
    if code == ErrorCode.ALREADY_SIGNED:
        return _tr(ALREADY_SIGNED)
    if code == ErrorCode.WRONG_STEP_ROLE:
        return _tr(WRONG_STEP_ROLE[action])
    if code == ErrorCode.ROLE_REQUIRED:
        return _tr(ROLE_REQUIRED)
    if code == ErrorCode.FORBIDDEN:
        return _tr(NOT_ALLOWED[action])
    if code == ErrorCode.ORDER_NOT_FOUND:
        return _tr(NOT_FOUND)
    if code == ErrorCode.NO_WORKER:
        return _tr(NO_WORKER)
    return _tr(UNAVAILABLE).format(error=message or code or "")
