"""One input model per activity, so a field can be added without breaking an order in flight.

Each carries only what its activity needs, and the order's ``LedgerEntry`` (None when a workflow from before
the ``ledger-in-activities`` patch schedules it). Older workflows sent other shapes; ``activities.legacy``
reads them into these models."""

from __future__ import annotations

from pydantic import BaseModel

from core.models import LedgerEntry


class ValidateOrderInput(BaseModel):
    """``validate_order``: the item is what the business rules look at. (Older workflows sent an
    ``OrderInput``, which holds these fields and more.)"""

    order_id: str
    item: str
    ledger: LedgerEntry | None = None


class NotifyManagerInput(BaseModel):
    """``notify_manager``: which order to announce. (Older workflows sent an ``OrderInput``.)"""

    order_id: str
    ledger: LedgerEntry | None = None
