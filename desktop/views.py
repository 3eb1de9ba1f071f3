"""The table's views (tabs), how statuses read to a person, and which orders a view holds.

Status names are translated for display only: the values the service and the API use stay English.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.models import OrderFilter, OrderStatus, OrderSummary, Role

STATUS_NAMES = {
    OrderStatus.VALIDATING: QT_TRANSLATE_NOOP("OrderStatus", "Validating"),
    OrderStatus.PENDING_APPROVAL: QT_TRANSLATE_NOOP("OrderStatus", "Pending approval"),
    OrderStatus.APPROVED: QT_TRANSLATE_NOOP("OrderStatus", "Approved"),
    OrderStatus.REJECTED: QT_TRANSLATE_NOOP("OrderStatus", "Rejected"),
    OrderStatus.CANCELLED: QT_TRANSLATE_NOOP("OrderStatus", "Cancelled"),
    OrderStatus.EXPIRED: QT_TRANSLATE_NOOP("OrderStatus", "Expired"),
    OrderStatus.TERMINATED: QT_TRANSLATE_NOOP("OrderStatus", "Terminated"),
}
VIEW_TITLES = {
    "pending": QT_TRANSLATE_NOOP("OrderView", "Pending"),
    "review": QT_TRANSLATE_NOOP("OrderView", "Needs my review"),
    "all": QT_TRANSLATE_NOOP("OrderView", "All"),
}


def status_text(status: OrderStatus) -> str:
    """``PENDING_APPROVAL`` -> ``Pending approval`` (or ``Chờ phê duyệt``), in the current language."""
    return QCoreApplication.translate("OrderStatus", STATUS_NAMES[status])


@dataclass(frozen=True)
class Reviewer:
    """Who the "Needs my review" view is for: the roles whose steps they may sign, and the name four-eyes keeps
    off the orders they created or signed already (None where four-eyes does not apply)."""

    roles: frozenset[Role]
    name: str | None = None

    def may_review(self, order: OrderSummary) -> bool:
        """Whether ``order`` awaits this reviewer, as far as its summary tells (not whom it signed already)."""
        return (order.status is OrderStatus.PENDING_APPROVAL and order.awaiting_role in self.roles
                and order.created_by != self.name)


NOBODY = Reviewer(frozenset())


@dataclass(frozen=True)
class OrderView:
    """One tab of the orders table. ``statuses`` None means every status; their order is the export's. A
    ``review`` view narrows them to what the person at the desk may sign next (``Reviewer``)."""

    key: str
    statuses: tuple[OrderStatus, ...] | None
    review: bool = False

    @property
    def title(self) -> str:
        if self.key in VIEW_TITLES:
            return QCoreApplication.translate("OrderView", VIEW_TITLES[self.key])
        assert self.statuses is not None and len(self.statuses) == 1
        return status_text(self.statuses[0])

    @property
    def status_set(self) -> frozenset[OrderStatus] | None:
        return None if self.statuses is None else frozenset(self.statuses)

    def includes(self, status: OrderStatus) -> bool:
        return self.statuses is None or status in self.statuses

    def holds(self, order: OrderSummary, reviewer: Reviewer = NOBODY) -> bool:
        """Whether this view holds ``order`` (its status, and for a review view whether it awaits ``reviewer``)."""
        return self.includes(order.status) and (not self.review or reviewer.may_review(order))

    def filter(self, q: str | None = None, reviewer: Reviewer = NOBODY) -> OrderFilter:
        """The service's filter of this view's orders whose item contains ``q`` (awaiting ``reviewer``, for a
        review view)."""
        where = OrderFilter(statuses=self.status_set, q=(q or "").strip() or None)
        if self.review:
            where = where.model_copy(update={"awaiting_roles": reviewer.roles, "reviewer": reviewer.name})
        return where


# How far an order has come: a newer observation never loses to an older one.
STATUS_RANK = {status: 2 if status.is_final else 1 if status is OrderStatus.PENDING_APPROVAL else 0
               for status in OrderStatus}

PENDING_VIEW = OrderView("pending", (OrderStatus.PENDING_APPROVAL, OrderStatus.VALIDATING))
REVIEW_VIEW = OrderView("review", (OrderStatus.PENDING_APPROVAL,), review=True)
ALL_VIEW = OrderView("all", None)
VIEWS: tuple[OrderView, ...] = (
    PENDING_VIEW,
    REVIEW_VIEW,
    ALL_VIEW,
    # A tab per decided status; TERMINATED (closed in Temporal by an operator) is an exception, listed in All: an
    # eighth tab would overflow the bar at the window's default size.
    *(OrderView(status.value.lower(), (status,)) for status in OrderStatus
      if status.is_final and status is not OrderStatus.TERMINATED),
)


def view_by_key(key: object) -> OrderView:
    return next((view for view in VIEWS if view.key == key), PENDING_VIEW)
