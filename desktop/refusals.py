"""Why a decision was refused, in the interface's language.

The service's typed errors (and ``BulkOutcome.error_type``) say what kind of refusal it was and the order's
status now, which is all the desk needs to say it in Vietnamese too. Only a ``Forbidden`` carries its reason as
a sentence: its known shapes are recognised, and any other is shown as the service wrote it.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.errors import Forbidden, InvalidTransition, OrderNotFound
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
FOUR_EYES = QT_TRANSLATE_NOOP("Refusal", "the four-eyes rule: you created this order, so someone else must approve it")
CLERK_OWN = QT_TRANSLATE_NOOP("Refusal", "a clerk may cancel only their own orders")
NOT_FOUND = QT_TRANSLATE_NOOP("Refusal", "the order was not found")
UNAVAILABLE = QT_TRANSLATE_NOOP("Refusal", "the service did not answer: {error}")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def error_kind(err: BaseException) -> str:
    """An exception from ``OrderService.decide`` as a ``BulkOutcome.error_type``."""
    if isinstance(err, OrderNotFound):
        return "not_found"
    if isinstance(err, InvalidTransition):
        return "invalid_transition"
    if isinstance(err, Forbidden):
        return "forbidden"
    return "unavailable"


def refusal_text(action: Action, kind: str | None, status: OrderStatus | None, message: str | None) -> str:
    """One refused decision, as a clause: ``cannot approve an order that is cancelled``."""
    message = message or ""
    if kind == "invalid_transition":
        if status is None:
            return _tr(CANNOT_NOW[action])
        return _tr(CANNOT_FROM[action]).format(status=status_text(status).lower())
    if kind == "forbidden":
        if "four-eyes" in message:
            return _tr(FOUR_EYES)
        if "may cancel only their own" in message:
            return _tr(CLERK_OWN)
        if "only a manager may" in message:
            return _tr(MANAGER_ONLY[action])
        return message
    if kind == "not_found":
        return _tr(NOT_FOUND)
    return _tr(UNAVAILABLE).format(error=message)
