"""Pydantic models shared by the faces, the service, the workflow and the activities.

They travel through Temporal with the SDK's pydantic data converter, so adding an optional
field never breaks a running workflow's history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from core.money import MAX_AMOUNT, Currency, Price, amount_of, check_decimals, plain
from core.roles import (  # noqa: F401 (re-exported: core.models stays the domain's one import)
    DEFAULT_POLICY,
    DEFAULT_TIERS,
    EVERY_PERMISSION,
    ROLE_PERMISSIONS,
    SIGNING_ROLES,
    ApprovalPolicy,
    Permission,
    Role,
    Tier,
    permissions,
)
from core.text import no_direction_override, stored_text, visible

ItemText = Annotated[stored_text(max_length=200, min_length=1), AfterValidator(visible),
                     AfterValidator(no_direction_override)]
Quantity = Annotated[int, Field(ge=1, le=1_000_000, strict=False)]
REASON_LENGTH = 500
Reason = stored_text(max_length=REASON_LENGTH, multiline=True)
ActorName = stored_text(max_length=100, min_length=1)
SYSTEM_ACTOR = "system"  # who the history names for what Order Desk does itself: no person may act under it


def not_the_system(name: str) -> str:
    """``system`` is who the history names for what Order Desk does itself (an order approved within the lowest tier,
    expired, closed in Temporal): a person acting under it would make their decision read as the system's."""
    if name.casefold() == SYSTEM_ACTOR:
        raise PydanticCustomError("reserved_name", "'{name}' is reserved: it names what Order Desk does itself",
                                  {"name": name})
    return name


# Who a person says they are (X-Actor, a desk's ORDER_DESK_ACTOR). ActorName itself stays as it was: decisions
# already in workflow histories carry it and must still replay.
PersonName = Annotated[ActorName, AfterValidator(not_the_system), AfterValidator(visible),
                       AfterValidator(no_direction_override)]


class OrderStatus(StrEnum):
    VALIDATING = "VALIDATING"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    # Closed in Temporal without Order Desk (terminated or cancelled from its Web UI or CLI, timed out, failed):
    # nobody's decision, and nothing more is fulfilled (core.closed_outside).
    TERMINATED = "TERMINATED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.EXPIRED,
                            OrderStatus.TERMINATED})


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




class OrderRequest(BaseModel):
    """What a person asks for. Validated the same way in the REST body and the desktop form.

    A price is optional: ``unit_price`` (exact, never a float) and its ``currency`` (the server's
    ``ORDER_DESK_CURRENCY`` when left out: ``priced_in``); ``amount = quantity × unit_price``."""

    model_config = ConfigDict(extra="forbid")

    item: ItemText
    quantity: Quantity
    currency: Currency | None = None  # before unit_price, whose decimals it limits
    unit_price: Price | None = Field(None, validate_default=True)  # checked when left out too: see below

    @field_validator("unit_price", mode="after")
    @classmethod
    def _price_rules(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        """The rules that also look at the quantity and the currency, here rather than on the model so that a 422
        names ``unit_price`` (a model's own rule is reported with no field)."""
        currency = info.data.get("currency")
        if value is None:
            if currency is not None:
                raise ValueError("currency is the currency of unit_price: send it with a unit_price, or leave it out")
            return value
        if currency is not None:
            check_decimals(value, currency)
        quantity = info.data.get("quantity")
        amount = amount_of(quantity, value) if quantity is not None else None
        if amount is not None and amount >= MAX_AMOUNT:
            raise ValueError(f"the amount quantity × unit_price ({plain(amount)}) must be below {MAX_AMOUNT:,}")
        return value

    def priced_in(self, default_currency: str) -> OrderRequest:
        """This request with its currency: ``default_currency`` when it has a price and names none (checked
        again: ``12.5`` is a fine USD price and no VND one)."""
        if self.unit_price is None or self.currency is not None:
            return self
        return OrderRequest.model_validate({**self.model_dump(), "currency": default_currency})

    @property
    def amount(self) -> Decimal | None:
        return amount_of(self.quantity, self.unit_price)


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
    unit_price: Decimal | None = None
    currency: str | None = None
    approval: ApprovalPolicy | None = Field(
        None, description="the approval policy in force when the order was created: the workflow works its steps out "
                          "from this copy (None: an order from before policies, or a service that sends none: one "
                          "manager's decision)")
    resume: OrderResume | None = Field(None, description="set when a pending order continues as a new run")

    @property
    def amount(self) -> Decimal | None:
        return amount_of(self.quantity, self.unit_price)


class Transition(BaseModel):
    status: OrderStatus
    at: datetime
    actor: str
    reason: str | None = None
    kind: Literal["transition", "reminder", "signature"] = Field(
        "transition", description="`transition`: a new status; `reminder`: the awaited role was reminded; "
                                  "`signature`: a step was signed and the next one awaits (the status is unchanged)")
    seq: int | None = Field(None, description="its place in the order's whole history (the ledger's key); "
                                              "None in orders from before bounded histories: its list index")
    awaiting_role: Role | None = Field(None, description="the role whose signature the order awaited right after "
                                                         "this entry; null when it awaited none")


class Signature(BaseModel):
    """Who signed a step, as what, when, and with which comment."""

    actor: str
    role: Role | None = Field(description="the signer's role; null in the open demo, where nobody has one")
    at: datetime
    comment: str | None = None


class ApprovalStep(BaseModel):
    """One signature an order needs: the role it awaits (that role or a higher one signs), and the signature once
    given. The steps are signed in order."""

    role: Role
    signature: Signature | None = None


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
    unit_price: Decimal | None = None
    currency: str | None = None
    amount: Decimal | None = Field(None, description="quantity × unit_price; null without a price")
    awaiting_role: Role | None = Field(None, description="whose signature the order awaits now: the role of its "
                                                         "first unsigned step while PENDING_APPROVAL, else null")
    steps: list[ApprovalStep] = Field(default_factory=list, description="the signatures the policy asks of this "
                                      "order, in order, with those given; empty for an order approved at once by "
                                      "the system, and for an order from before approval steps")
    approval_reason: str | None = Field(None, description="why these steps: the policy's tier the amount fell in")
    policy: str | None = Field(None, description="the approval policy file the steps came from; null: the default "
                                                 "(one manager)")

    @classmethod
    def started(cls, order: OrderInput, at: datetime) -> OrderDetails:
        """The order as its workflow starts it at ``at``: VALIDATING, created by its creator."""
        return cls(
            order_id=order.order_id, item=order.item, quantity=order.quantity,
            status=OrderStatus.VALIDATING, created_by=order.created_by, created_at=at, updated_at=at,
            history=[Transition(status=OrderStatus.VALIDATING, at=at, actor=order.created_by, seq=0)],
            unit_price=order.unit_price, currency=order.currency if order.unit_price is not None else None,
            amount=order.amount, policy=order.approval.source if order.approval is not None else None,
        )


class OrderResume(BaseModel):
    """What a pending order carries into its next run (continue-as-new), so its history stays bounded however
    often it is reminded: where it stands, and when its timers fall due."""

    details: OrderDetails
    waiting_since: datetime
    next_reminder: datetime | None
    ledger_holds: int
    next_seq: int
    approval_steps: bool = Field(False, description="the run signs steps (the approval-steps patch)")


class OrderSummary(BaseModel):
    """One row of a list: what the pending-orders table shows without querying each workflow."""

    order_id: str
    item: str
    quantity: int
    status: OrderStatus
    created_by: str
    created_at: datetime
    updated_at: datetime | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    amount: Decimal | None = Field(None, description="quantity × unit_price; null without a price")
    awaiting_role: Role | None = Field(None, description="whose signature the order awaits now, while "
                                                         "PENDING_APPROVAL; null otherwise")


class OrderChange(BaseModel):
    """One entry of the ledger's change feed: an order was created, moved, or reminded. ``seq`` grows with every
    change the ledger commits, so a reader that asks for the changes after the last ``seq`` it saw misses none."""

    seq: int = Field(description="the change's place in the feed; the `id` of its `/events` event")
    order_id: str
    kind: Literal["created", "transition", "reminder", "signature"] = Field(
        description="`created`: the order's first entry (VALIDATING); `transition`: a new status; `reminder`: the "
                    "awaited role was reminded (the status is unchanged); `signature`: a step was signed and the "
                    "next one awaits (`order.awaiting_role`)")
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
    steps: list[ApprovalStep] = Field(default_factory=list, description="the order's steps and signatures so far "
                                      "(a few at most: the whole list, every time)")

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
                   transitions=[t for t in numbered if t.seq is not None and t.seq >= first_seq],
                   steps=details.steps)

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
    awaiting_roles: frozenset[Role] | None = Field(None, description="pending and awaiting one of these roles")
    reviewer: str | None = Field(None, description="leave out the orders this person created or already signed "
                                                   "(four-eyes: they may not sign them)")
    min_amount: Decimal | None = Field(None, description="amount at least this (orders without a price are left out)")
    max_amount: Decimal | None = Field(None, description="amount at most this (orders without a price are left out)")
    currency: str | None = Field(None, description="priced in this currency")

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


RefusalKind = Literal["not_found", "invalid_transition", "forbidden", "unavailable", "invalid_request"]
"""A refused decision's broad kind, as its single route would answer: 404, 409, 403, 503, 422."""


class BulkOutcome(BaseModel):
    """One order's result in a bulk decision: its new status, or why it was refused."""

    order_id: str
    ok: bool
    status: OrderStatus | None = None
    error: str | None = None
    error_type: RefusalKind | None = None
    code: str | None = Field(None, description="the refusal's precise reason: an ``ErrorCode`` value")


OrderInput.model_rebuild()
