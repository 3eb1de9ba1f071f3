"""The table's views (tabs), how statuses read to a person, and which orders a view holds.

Status names are translated for display only: the values the service and the API use stay English.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.models import OrderFilter, OrderStatus

STATUS_NAMES = {
    OrderStatus.VALIDATING: QT_TRANSLATE_NOOP("OrderStatus", "Validating"),
    OrderStatus.PENDING_APPROVAL: QT_TRANSLATE_NOOP("OrderStatus", "Pending approval"),
    OrderStatus.APPROVED: QT_TRANSLATE_NOOP("OrderStatus", "Approved"),
    OrderStatus.REJECTED: QT_TRANSLATE_NOOP("OrderStatus", "Rejected"),
    OrderStatus.CANCELLED: QT_TRANSLATE_NOOP("OrderStatus", "Cancelled"),
    OrderStatus.EXPIRED: QT_TRANSLATE_NOOP("OrderStatus", "Expired"),
}
VIEW_TITLES = {
    "pending": QT_TRANSLATE_NOOP("OrderView", "Pending"),
    "all": QT_TRANSLATE_NOOP("OrderView", "All"),
}


def status_text(status: OrderStatus) -> str:
    """``PENDING_APPROVAL`` -> ``Pending approval`` (or ``Chờ phê duyệt``), in the current language."""
    return QCoreApplication.translate("OrderStatus", STATUS_NAMES[status])


@dataclass(frozen=True)
class OrderView:
    """One tab of the orders table. ``statuses`` None means every status; their order is the export's."""

    key: str
    statuses: tuple[OrderStatus, ...] | None

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

    def filter(self, q: str | None = None) -> OrderFilter:
        """The service's filter of this view's orders whose item contains ``q``."""
        return OrderFilter(statuses=self.status_set, q=(q or "").strip() or None)


# How far an order has come: a newer observation never loses to an older one.
STATUS_RANK = {status: 2 if status.is_final else 1 if status is OrderStatus.PENDING_APPROVAL else 0
               for status in OrderStatus}

PENDING_VIEW = OrderView("pending", (OrderStatus.PENDING_APPROVAL, OrderStatus.VALIDATING))
ALL_VIEW = OrderView("all", None)
VIEWS: tuple[OrderView, ...] = (
    PENDING_VIEW,
    ALL_VIEW,
    *(OrderView(status.value.lower(), (status,)) for status in OrderStatus if status.is_final),
)


def view_by_key(key: object) -> OrderView:
    return next((view for view in VIEWS if view.key == key), PENDING_VIEW)
