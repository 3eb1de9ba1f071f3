"""Pydantic models shared by the faces, the service, the workflow and the activities.

They travel through Temporal with the SDK's pydantic data converter, so adding an optional
field never breaks a running workflow's history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.text import stored_text

ItemText = stored_text(max_length=200, min_length=1)
Quantity = Annotated[int, Field(ge=1, le=1_000_000, strict=False)]
Reason = stored_text(max_length=500, multiline=True)
ActorName = stored_text(max_length=100, min_length=1)


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


class Permission(StrEnum):
    """What a person may do. ``ROLE_PERMISSIONS`` is the one table from roles to permissions: the workflow's
    ``refusal()`` enforces it and ``GET /me`` reports it, so a new role is one new row."""

    CREATE = "create"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL_OWN = "cancel_own"
    CANCEL_ANY = "cancel_any"


EVERY_PERMISSION = frozenset(Permission)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.CREATE, Permission.CANCEL_OWN}),
    Role.MANAGER: EVERY_PERMISSION,
}


def permissions(role: Role | None) -> frozenset[Permission]:
    """What ``role`` may do; no role (no identities configured: the open demo) restricts nothing."""
    return EVERY_PERMISSION if role is None else ROLE_PERMISSIONS[role]


class OrderRequest(BaseModel):
    """What a person asks for. Validated the same way in the REST body and the desktop form."""

    model_config = ConfigDict(extra="forbid")

    item: ItemText
    quantity: Quantity


class Actor(BaseModel):
    """Who acts. ``role`` is None when no identities are configured: then nobody is restricted."""

    name: ActorName
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
    team: bool = Field(False, description="created while the server had users: decisions come only through the "
                                          "Update serve sends for a signed-in user; the seed's signals are refused")
    resume: OrderResume | None = Field(None, description="set when a pending order continues as a new run")


class Transition(BaseModel):
    status: OrderStatus
    at: datetime
    actor: str
    reason: str | None = None
    kind: Literal["transition", "reminder"] = "transition"
    seq: int | None = Field(None, description="its place in the order's whole history (the ledger's key); "
                                              "None in orders from before bounded histories: its list index")


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
    reminders: int = Field(0, description="reminders sent in all; a running order keeps only the latest few in "
                                          "its history, the ledger keeps every one")


class OrderResume(BaseModel):
    """What a pending order carries into its next run (continue-as-new), so its history stays bounded however
    often it is reminded: where it stands, and when its timers fall due."""

    details: OrderDetails
    waiting_since: datetime
    next_reminder: datetime | None
    ledger_holds: int
    next_seq: int


class OrderSummary(BaseModel):
    """One row of a list: what the pending-orders table shows without querying each workflow."""

    order_id: str
    item: str
    quantity: int
    status: OrderStatus
    created_by: str
    created_at: datetime
    updated_at: datetime | None = None


class OrderChange(BaseModel):
    """One entry of the ledger's change feed: an order was created, moved, or reminded. ``seq`` grows with every
    change the ledger commits, so a reader that asks for the changes after the last ``seq`` it saw misses none."""

    seq: int = Field(description="the change's place in the feed; the `id` of its `/events` event")
    order_id: str
    kind: Literal["created", "transition", "reminder"] = Field(
        description="`created`: the order's first entry (VALIDATING); `transition`: a new status; `reminder`: the "
                    "manager was reminded (the status is unchanged)")
    status: OrderStatus = Field(description="the order's status after the change")
    at: datetime
    actor: str
    reason: str | None = None
    order: OrderSummary = Field(description="the order as it was right after this change")


class LedgerEntry(BaseModel):
    """What an activity writes to the ledger after a transition: the order's summary as it is now, and the
    history entries from ``first_seq`` on that the ledger may not hold yet (not the whole history, so an
    activity's input stays small however often the order was reminded).

    A workflow from before this model sent the whole ``OrderDetails``; it is read as an entry from seq 0."""

    summary: OrderSummary
    first_seq: int = Field(0, ge=0)
    transitions: list[Transition] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_details(cls, data: object) -> object:
        if isinstance(data, OrderDetails):
            data = data.model_dump()
        if isinstance(data, dict) and "history" in data:
            return {"summary": data, "first_seq": 0, "transitions": data["history"]}
        return data

    @classmethod
    def of(cls, details: OrderDetails, first_seq: int = 0) -> LedgerEntry:
        """The entries of ``details`` from ``first_seq`` on, each with its seq."""
        numbered = [t if t.seq is not None else t.model_copy(update={"seq": index})
                    for index, t in enumerate(details.history)]
        return cls(summary=OrderSummary.model_validate(details, from_attributes=True), first_seq=first_seq,
                   transitions=[t for t in numbered if t.seq is not None and t.seq >= first_seq])

    def numbered(self) -> list[tuple[int, Transition]]:
        """Each transition with its seq (an entry from an older workflow numbers them from ``first_seq``)."""
        return [(t.seq if t.seq is not None else self.first_seq + index, t)
                for index, t in enumerate(self.transitions)]

    @property
    def last_seq(self) -> int:
        """The newest history entry this write knows of: the ledger never lets an older write win."""
        return max((seq for seq, _ in self.numbered()), default=self.first_seq - 1)


class StuckOrder(BaseModel):
    """An order whose ledger write keeps failing: its workflow waits, retrying, until the cause is fixed."""

    order_id: str
    attempts: int
    error: str
    first_failed_at: datetime
    last_failed_at: datetime


class OrderFilter(BaseModel):
    """Which orders a list, a search, a count or an export covers: one type from every face to the ledger, so
    they always agree. Every field narrows; ``statuses`` None means every status."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    statuses: frozenset[OrderStatus] | None = None
    q: str | None = Field(None, description="the item contains this text, case-insensitive")
    created_by: str | None = None
    since: datetime | None = Field(None, description="created at or after")
    until: datetime | None = Field(None, description="created before (exclusive)")

    @classmethod
    def of(cls, *statuses: OrderStatus, **narrowing: object) -> OrderFilter:
        """``OrderFilter.of(APPROVED, q="desk")``: the orders in any of ``statuses`` (every status if none)."""
        return cls(statuses=frozenset(statuses) if statuses else None, **narrowing)  # type: ignore[arg-type]


ALL_ORDERS = OrderFilter()


class FulfilmentInput(BaseModel):
    """Input of the ``process_*_order`` activities: the order's one fulfilment record, and its ledger write."""

    order_id: str
    outcome: OrderStatus
    actor: str
    reason: str | None = None
    ledger: LedgerEntry | None = None


class BulkOutcome(BaseModel):
    """One order's result in a bulk decision: its new status, or why it was refused."""

    order_id: str
    ok: bool
    status: OrderStatus | None = None
    error: str | None = None
    error_type: Literal["not_found", "invalid_transition", "forbidden", "unavailable"] | None = None
    code: str | None = Field(None, description="the refusal's precise reason: an ``ErrorCode`` value")


OrderInput.model_rebuild()
