"""The table's views (tabs) and how statuses read to a person."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import OrderStatus


@dataclass(frozen=True)
class OrderView:
    """One tab of the orders table. ``statuses`` None means every status."""

    key: str
    title: str
    statuses: frozenset[OrderStatus] | None

    def includes(self, status: OrderStatus) -> bool:
        return self.statuses is None or status in self.statuses


def status_text(status: OrderStatus) -> str:
    """``PENDING_APPROVAL`` -> ``Pending approval``."""
    return status.value.replace("_", " ").capitalize()


STATUS_TEXT = {status: status_text(status) for status in OrderStatus}

# How far an order has come: a newer observation never loses to an older one.
STATUS_RANK = {status: 2 if status.is_final else 1 if status is OrderStatus.PENDING_APPROVAL else 0
               for status in OrderStatus}

PENDING_VIEW = OrderView("pending", "Pending",
                         frozenset({OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL}))
ALL_VIEW = OrderView("all", "All", None)
VIEWS: tuple[OrderView, ...] = (
    PENDING_VIEW,
    ALL_VIEW,
    *(OrderView(status.value.lower(), STATUS_TEXT[status], frozenset({status}))
      for status in OrderStatus if status.is_final),
)


def view_by_key(key: object) -> OrderView:
    return next((view for view in VIEWS if view.key == key), PENDING_VIEW)
