"""Decisions, the part of ``DeskController`` that approves, rejects and cancels: one order at once, several
through the service's ``decide_many`` (its bound on calls in flight) with each outcome reported as it lands.
The service decides, per order, whether it is allowed; a refusal is shown by its code, and the status it names
is shown at once. A signature that leaves a step open keeps the order pending, awaiting the next role: the
person who signed leaves the order to others where four-eyes applies. It reports through the controller's
signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from core.errors import Forbidden, InvalidTransition, OrderDeskError
from core.models import Action, BulkOutcome, OrderStatus
from core.service_interface import OrderServiceProtocol
from desktop.outcomes import decided_text, signed_only, tally_text
from desktop.refusals import refusal_text
from desktop.reports import Message, Severity

if TYPE_CHECKING:
    from desktop.controller import DeskController

DECISION = "decision"  # the command, and the source of its messages


class Deciding(QObject):
    def __init__(self, desk: DeskController) -> None:
        super().__init__(desk)
        self.desk = desk

    def decide(self, action: Action, order_ids: list[str], reason: str = "") -> None:
        desk = self.desk
        service = desk.service
        if service is None or not desk.can_decide or not order_ids:
            return
        if len(order_ids) > 1:
            self._decide_many(service, action, order_ids, reason or None)
            return
        [order_id] = order_ids
        desk.run(DECISION, f"Deciding {order_id}", service.decide(order_id, action, desk.actor, reason or None),
                 lambda err: self._refused(action, order_id, err),
                 lambda status: self._decided(action, order_id, status))

    def _refused(self, action: Action, order_id: str, err: Exception) -> Message:
        if not isinstance(err, OrderDeskError):
            return Message(self.tr("Could not decide on {order}: {error}").format(order=order_id, error=err),
                           Severity.ERROR, DECISION)
        current = getattr(err, "current_status", None)
        if current is not None:
            self.desk.learn(order_id, current)
        severity = Severity.WARNING if isinstance(err, InvalidTransition | Forbidden) else Severity.ERROR
        return Message(f"{order_id}: {refusal_text(action, err.code, current, str(err))}", severity, DECISION)

    def _decided(self, action: Action, order_id: str, status: OrderStatus) -> None:
        desk = self.desk
        if action is Action.APPROVE and status is OrderStatus.PENDING_APPROVAL:  # a step signed, another awaits
            if desk.session.four_eyes:
                desk.refresher.signed_here(order_id)
                if desk.view.review:
                    desk.model.discard([order_id])
            desk.refresh_now()  # the next step's role, and the details with this signature
        desk.learn(order_id, status)
        desk.message.emit(Message(decided_text(action, order_id, status), Severity.SUCCESS, DECISION))

    def _decide_many(self, service: OrderServiceProtocol, action: Action, order_ids: list[str],
                     reason: str | None) -> None:
        desk = self.desk
        # Every order sent has its row, those the table no longer shows too (another desk decided one meanwhile).
        desk.bulkStarted.emit(action, [(order_id, order.item if (order := desk.model.summary(order_id)) else "")
                                       for order_id in dict.fromkeys(order_ids)])

        def landed(outcome: BulkOutcome) -> None:
            why = "" if outcome.ok else refusal_text(action, outcome.code, outcome.status, outcome.error)
            desk.bulkLanded.emit(outcome, why)
            if outcome.status is not None:
                desk.learn(outcome.order_id, outcome.status)

        def tally(outcomes: list[BulkOutcome]) -> None:
            refused = sum(not outcome.ok for outcome in outcomes)
            signed = sum(outcome.ok and signed_only(action, outcome.status) for outcome in outcomes)
            desk.message.emit(Message(tally_text(action, len(outcomes) - refused, refused, signed),
                                      Severity.WARNING if refused else Severity.SUCCESS, DECISION))

        failed = self.tr("The decisions could not all be sent: {error}")
        desk.run(DECISION, f"The {action.value} of {len(order_ids)} orders",
                 service.decide_many(order_ids, action, desk.actor, reason, progress=landed),
                 lambda err: Message(failed.format(error=err), Severity.ERROR, DECISION), tally)
