"""One input model per activity, so a field can be added without breaking an order in flight.

Each carries only what its activity needs, and the order's ``LedgerEntry`` (None when a workflow from before
the ``ledger-in-activities`` patch schedules it). Older workflows sent other shapes; ``activities.legacy``
reads them into these models."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.models import LedgerEntry, Role


class ValidateOrderInput(BaseModel):
    """``validate_order``: the item is what the business rules look at. (Older workflows sent an
    ``OrderInput``, which holds these fields and more.)"""

    order_id: str
    item: str
    ledger: LedgerEntry | None = None


class NotifyManagerInput(BaseModel):
    """``notify_manager``: which order to announce, to whom. (Older workflows sent an ``OrderInput``, and workflows
    from before approval steps no role: the manager.)"""

    order_id: str
    ledger: LedgerEntry | None = None
    role: Role | None = Field(None, description="the role the order awaits; None: the manager")
    step: int | None = Field(None, description="the awaited step, from 1 (None before approval steps)")
    steps: int | None = Field(None, description="how many steps the order has")
    notice: int = Field(0, description="the order's reminders so far: with the order and the step, it names this "
                                       "notice (its e-mail's Message-ID), so a retried activity sends it once")
    reminder: bool = Field(False, description="a reminder, not the step's first notice")
