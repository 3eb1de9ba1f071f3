"""Pydantic models shared by the faces, the service, the workflow and the activities.

They travel through Temporal with the SDK's pydantic data converter, so adding an optional
field never breaks a running workflow's history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Quantity = Annotated[int, Field(ge=1, le=1_000_000, strict=False)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class OrderStatus(StrEnum):
    VALIDATING = "VALIDATING"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.EXPIRED})


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"

    @property
    def outcome(self) -> OrderStatus:
        return _OUTCOMES[self]

    def allowed_from(self, status: OrderStatus) -> bool:
        """Which states each decision may leave from.

        Approve and reject need a validated order: a decision sent while the order is still
        VALIDATING is refused (409), never queued, so nobody approves an order that may yet fail
        validation. Cancel is allowed until the order is decided.
        """
        if self is Action.CANCEL:
            return status in (OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL)
        return status is OrderStatus.PENDING_APPROVAL


_OUTCOMES = {
    Action.APPROVE: OrderStatus.APPROVED,
    Action.REJECT: OrderStatus.REJECTED,
    Action.CANCEL: OrderStatus.CANCELLED,
}


class Role(StrEnum):
    CLERK = "clerk"
    MANAGER = "manager"


class OrderRequest(BaseModel):
    """What a person asks for. Validated the same way in the REST body and the desktop form."""

    model_config = ConfigDict(extra="forbid")

    item: ItemText
    quantity: Quantity


class Actor(BaseModel):
    """Who acts. ``role`` is None when no identities are configured: then nobody is restricted."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    role: Role | None = None


class Decision(BaseModel):
    action: Action
    actor: Actor
    reason: Reason | None = None


class OrderInput(BaseModel):
    """Workflow input: fixed at start, so a running order keeps the rules it was created under."""

    order_id: str
    item: str
    quantity: int
    created_by: str
    four_eyes: bool = False
    reminder_interval: timedelta | None = None
    approval_deadline: timedelta | None = None


class Transition(BaseModel):
    status: OrderStatus
    at: datetime
    actor: str
    reason: str | None = None
    kind: Literal["transition", "reminder"] = "transition"


class OrderDetails(BaseModel):
    order_id: str
    item: str
    quantity: int
    status: OrderStatus
    created_by: str
    created_at: datetime
    updated_at: datetime
    history: list[Transition] = Field(default_factory=list)
    fulfilled: bool = False


class OrderSummary(BaseModel):
    """One row of a list: what the pending-orders table shows without querying each workflow."""

    order_id: str
    item: str
    quantity: int
    status: OrderStatus
    created_by: str
    created_at: datetime
    updated_at: datetime | None = None


class FulfilmentInput(BaseModel):
    order_id: str
    outcome: OrderStatus
    actor: str
    reason: str | None = None


class BulkOutcome(BaseModel):
    """One order's result in a bulk decision: its new status, or why it was refused."""

    order_id: str
    ok: bool
    status: OrderStatus | None = None
    error: str | None = None
    error_type: Literal["not_found", "invalid_transition", "forbidden", "unavailable"] | None = None
