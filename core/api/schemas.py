"""What the REST API reads and writes. Kept apart from the core models so the wire format can stay put
while the service grows, and so each schema says exactly what OpenAPI documents."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StringConstraints

from core.errors import ErrorCode
from core.models import (
    OrderDetails,
    OrderRequest,
    OrderStatus,
    OrderSummary,
    Permission,
    Quantity,
    Reason,
    RefusalKind,
    Role,
)
from core.text import no_direction_override

IncomingReason = Annotated[Reason, AfterValidator(no_direction_override)]
"""A decision's reason as a request brings it: no direction override (``Reason`` itself stays as the workflows'
recorded decisions hold it)."""

MAX_BULK_ORDERS = 500

SEED_ORDER = {"item": "Laptop Gaming XYZ", "quantity": 1}
PRICED_ORDER = {"item": "Máy chiếu", "quantity": 2, "unit_price": "12500000", "currency": "VND"}


class CreateOrderBody(OrderRequest):
    """The seed's body, with the desktop form's rules (item 1-200 characters after trimming, quantity
    1-1,000,000). The quantity must be a JSON integer: ``"1"``, ``1.0`` or ``true`` are refused, not guessed.
    Optionally a price: ``unit_price`` as a decimal string (or a JSON number, read exactly from its text) and its
    ``currency`` (the server's ``ORDER_DESK_CURRENCY`` when left out); the amount is quantity × unit_price."""

    model_config = ConfigDict(json_schema_extra={"examples": [SEED_ORDER, PRICED_ORDER]})

    quantity: Annotated[Quantity, Strict()]


class DecisionBody(BaseModel):
    """Optional body of approve/reject/cancel; the seed sends none at all."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "budget approved"}]})

    reason: IncomingReason | None = Field(
        None, description="why; recorded in the order's history (at most 500 characters)")


class OrderCreated(BaseModel):
    order_id: str = Field(examples=["order_3f9c2a7d41b0"])
    status: OrderStatus


class OrderDecided(BaseModel):
    order_id: str = Field(examples=["order_3f9c2a7d41b0"])
    status: OrderStatus = Field(description="the order's new status (`PENDING_APPROVAL` after a signature that "
                                            "leaves a step open)")
    awaiting_role: Role | None = Field(None, description="whose signature the order awaits now; only after a "
                                                         "signature that leaves a step open (absent otherwise, so "
                                                         "the seed's answer is unchanged)")


class OrderStatusBody(BaseModel):
    """Exactly the seed's ``{"status": "PENDING_APPROVAL"}``."""

    status: OrderStatus


class OrderList(BaseModel):
    data: list[OrderSummary] = Field(description="one page of the matching orders, newest first")
    count: int = Field(description="how many orders match the filter in all (every page together)")


class BulkDecisionBody(BaseModel):
    """The orders to decide on, and one reason for all of them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"order_ids": ["order_3f9c2a7d41b0", "order_8e21d5c09f7a"], "reason": "month-end batch"}]})

    order_ids: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        min_length=1, max_length=MAX_BULK_ORDERS,
        description=f"1-{MAX_BULK_ORDERS} order IDs; a repeated ID is decided (and answered) once")
    reason: IncomingReason | None = Field(
        None, description="why; recorded in each order's history (at most 500 characters)")


class BulkOrderResult(BaseModel):
    """One order's outcome, with what a single decision would have answered in its place."""

    order_id: str = Field(examples=["order_3f9c2a7d41b0"])
    ok: bool = Field(description="whether the decision was applied")
    status: OrderStatus | None = Field(
        None, description="the new status when `ok`; otherwise the order's current status, where known")
    error: str | None = Field(None, description="why not, in words (the `detail` a single decision would give)",
                              examples=["cannot approve an order that is CANCELLED"])
    error_type: RefusalKind | None = Field(
        None, description="why not, broadly: the single decision's 404, 409, 403, 503 or 422")
    code: ErrorCode | None = Field(
        None, description="why not, precisely: the `code` of the single decision's error body (`four_eyes`, "
                          "`manager_only`, `invalid_transition`, `order_not_found`, `no_worker`, ...)",
        examples=["invalid_transition"])


class BulkDecided(BaseModel):
    data: list[BulkOrderResult] = Field(description="one result per distinct order ID, in request order")
    count: int = Field(description="how many results `data` holds")
    succeeded: int = Field(description="how many of them have `ok`")


class OrderDetailsBody(OrderDetails):
    workflow_url: str | None = Field(None, description="the order's workflow in the Temporal Web UI, if one is known")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        examples=["ok"], description="`degraded`: serving, but some orders' ledger writes keep failing")
    stuck_count: int = Field(examples=[0], description="how many orders' ledger write failed twice or more in a row; "
                                                       "each waits, retrying, and moves on by itself once the cause "
                                                       "is fixed")
    stuck_orders: list[str] | None = Field(
        default_factory=list, description="those orders, longest stuck first; null to a caller without a valid token "
                                          "(no order is named to a caller the server does not know)")


class Me(BaseModel):
    """Who the caller is, as the server sees them, and what they may do: a desk enables its actions from this."""

    name: str = Field(description="who acts: the token's user; `api` with the shared token; `X-Actor` (default "
                                  "`api`) in the open demo", examples=["Nguyễn Văn An"])
    role: Role | None = Field(description="the user's role; null when nobody is restricted or with the shared token")
    may: list[Permission] = Field(description="what this caller may do (`cancel_own`: only orders they created)",
                                  examples=[["create", "approve", "reject", "cancel_own", "cancel_any"]])
    four_eyes: bool = Field(description="whether the creator of an order is refused its approval")
    mode: Literal["open", "shared_token", "users"] = Field(
        description="`users`: personal tokens from the user store (or a tokens file); `shared_token`: one "
                    "`ORDER_DESK_API_TOKEN`; `open`: the loopback demo, no token")
    currency: str = Field(description="the server's default currency (ISO 4217): what a price that names none "
                                      "is in (`ORDER_DESK_CURRENCY`, else the approval policy's, else VND); a "
                                      "desk prefills its form with it", examples=["VND"])


class EventsReady(BaseModel):
    """The data of the first event of every `/events` stream: where it starts."""

    after: int = Field(description="the stream sends every change with a `seq` above this one")


class FieldError(BaseModel):
    location: str = Field(description="body, query, header or path", examples=["body"])
    field: str = Field(description="the offending field; empty when the whole body is at fault", examples=["quantity"])
    message: str = Field(examples=["Input should be greater than or equal to 1"])
    type: str = Field(examples=["greater_than_equal"])


class ErrorBody(BaseModel):
    """Every error response: one human-readable ``detail`` and, beside it, the ``code`` programs branch on; the
    order's ``status`` where a state or a role refused the action (409, 403); the individual ``errors`` of a
    rejected request (422)."""

    detail: str = Field(description="what went wrong, in English, for people; programs read `code`")
    code: ErrorCode = Field(description="what went wrong, for programs; the codes and their statuses are in "
                                        "docs/REST.md")
    status: OrderStatus | None = None
    errors: list[FieldError] | None = None
