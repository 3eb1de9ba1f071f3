"""``/orders``: the seed's endpoints (create, status, approve, reject, cancel) and the search and details.

Routes only translate HTTP into service calls; refusals come back as the service's typed errors and
leave through the one table in ``core.api.errors``.

Bodies are read with ``ExactJSONRoute``: a JSON number with a fraction becomes a ``Decimal`` straight from its text,
so a price sent as a number is exact or refused, never rounded through a binary float.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError

from core.api.deps import (
    ActorDep,
    IdempotencyKey,
    OrderFilterDep,
    OrderIdDep,
    OrderServiceDep,
    decision_request_id,
)
from core.api.errors import error_responses
from core.api.schemas import (
    CreateOrderBody,
    DecisionBody,
    OrderCreated,
    OrderDecided,
    OrderDetailsBody,
    OrderList,
    OrderStatusBody,
)
from core.models import Action, Actor, OrderStatus
from core.service import OrderService

_NO_NUMBER = Decimal("NaN")  # what a number no Python type holds becomes: every field refuses it by name


def _exact(text: str) -> Decimal:
    """A number with a fraction or an exponent, exactly. One no ``Decimal`` holds (``1e99999999999999999999``) is
    NaN, which every field refuses by name ("a price is a finite number", "valid string"): it was refused as invalid
    JSON with no field, in Python's words."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return _NO_NUMBER


def _whole(text: str) -> int | Decimal:
    """An integer; one past Python's 4,300 digits is NaN, for the field to refuse by name."""
    try:
        return int(text)
    except ValueError:
        return _NO_NUMBER


class ExactJSONRequest(Request):
    """A request whose JSON body keeps numbers with a fraction (or an exponent) as ``Decimal``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=_exact, parse_int=_whole)
        return self._json


class ExactJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact


router = APIRouter(prefix="/orders", tags=["orders"], route_class=ExactJSONRoute)

_FOLLOW_UPS = ("get_order", "get_order_status", "approve_order", "reject_order", "cancel_order")
_CREATED = {
    "description": "The order was created (or, with a reused `Idempotency-Key`, found again); it starts "
                   "`VALIDATING`. `Location` is its URL.",
    "headers": {"Location": {"description": "`/orders/{order_id}`", "schema": {"type": "string"}}},
    "links": {name: {"operationId": name, "parameters": {"order_id": "$response.body#/order_id"}}
              for name in _FOLLOW_UPS},
}

OptionalDecision = Annotated[DecisionBody | None, Body(
    description="optional; the seed sends no body (and no Content-Type) at all")]


@router.post("", status_code=201, operation_id="create_order", summary="Create an order",
             responses={201: _CREATED, **error_responses(413, 422, 503)})
async def create_order(body: CreateOrderBody, service: OrderServiceDep, actor: ActorDep, response: Response,
                       idempotency_key: IdempotencyKey = None) -> OrderCreated:
    """Start the order's workflow. With an `Idempotency-Key`, a retry returns the same order; the same key
    with a different body is refused (422, `idempotency_conflict`). A price with more decimals than its currency
    has (`12.5` VND) is 422. The approval policy in force decides the steps (docs/APPROVALS.md): an order within
    its lowest tier is approved by the system without a signature."""
    try:
        request = body.priced_in(service.settings.default_currency)
    except ValidationError as err:
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in err.errors()]) from err
    order_id = await service.create_order(request, actor, idempotency_key=idempotency_key)
    response.headers["Location"] = f"{router.prefix}/{order_id}"
    # A new order starts VALIDATING; only a retried create (same key) may find it further on.
    status = OrderStatus.VALIDATING if idempotency_key is None else await service.status(order_id)
    return OrderCreated(order_id=order_id, status=status)


@router.get("", operation_id="list_orders", summary="Search orders, newest first",
            responses=error_responses(422, 503))
async def list_orders(
    service: OrderServiceDep,
    where: OrderFilterDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many orders (one page)")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="skip this many (the next page)")] = 0,
) -> OrderList:
    """Every filter narrows the result; `count` is how many match in all, so `offset + limit < count` means
    there is a next page. Read from the order ledger, which the workflow keeps current within milliseconds."""
    orders, count = await asyncio.gather(service.list_orders(where, limit, offset), service.count_orders(where))
    return OrderList(data=orders, count=count)


@router.get("/{order_id}", operation_id="get_order", summary="An order's details and history",
            responses=error_responses(404, 422, 503))
async def get_order(order_id: OrderIdDep, service: OrderServiceDep) -> OrderDetailsBody:
    details = await service.details(order_id)
    return OrderDetailsBody(**details.model_dump(), workflow_url=service.settings.workflow_url(order_id))


@router.get("/{order_id}/status", operation_id="get_order_status", summary="An order's status (the seed's)",
            responses=error_responses(404, 422, 503))
async def get_order_status(order_id: OrderIdDep, service: OrderServiceDep) -> OrderStatusBody:
    return OrderStatusBody(status=await service.status(order_id))


_DECISION_ERRORS = error_responses(403, 404, 409, 413, 422, 503)


@router.post("/{order_id}/approve", operation_id="approve_order", summary="Sign the awaited step of a pending order",
             responses=_DECISION_ERRORS, response_model_exclude_none=True)
async def approve_order(order_id: OrderIdDep, service: OrderServiceDep, actor: ActorDep,
                        body: OptionalDecision = None, idempotency_key: IdempotencyKey = None) -> OrderDecided:
    """Allowed while `PENDING_APPROVAL` (409 otherwise, with the current status). Signs the step the order awaits,
    with `reason` as the signature's comment: the last step's signature approves the order (`APPROVED`); an
    earlier one leaves it `PENDING_APPROVAL`, awaiting the next step's role (`awaiting_role`). 403 with its `code`
    when the rules forbid it: `manager_only` (a clerk), `wrong_step_role` (the step awaits a higher role),
    `four_eyes` (the order's creator), `already_signed` (the caller signed a step of this order already)."""
    return await _decide(service, order_id, Action.APPROVE, actor, body, idempotency_key)


@router.post("/{order_id}/reject", operation_id="reject_order", summary="Reject a pending order",
             responses=_DECISION_ERRORS, response_model_exclude_none=True)
async def reject_order(order_id: OrderIdDep, service: OrderServiceDep, actor: ActorDep,
                       body: OptionalDecision = None, idempotency_key: IdempotencyKey = None) -> OrderDecided:
    """Allowed while `PENDING_APPROVAL` (409 otherwise, with the current status), at any step, by the awaited
    step's role or a higher one (403 `wrong_step_role` otherwise, `manager_only` for a clerk)."""
    return await _decide(service, order_id, Action.REJECT, actor, body, idempotency_key)


@router.post("/{order_id}/cancel", operation_id="cancel_order", summary="Cancel an undecided order",
             responses=_DECISION_ERRORS, response_model_exclude_none=True)
async def cancel_order(order_id: OrderIdDep, service: OrderServiceDep, actor: ActorDep,
                       body: OptionalDecision = None, idempotency_key: IdempotencyKey = None) -> OrderDecided:
    """Allowed while `VALIDATING` or `PENDING_APPROVAL` (409 otherwise, with the current status)."""
    return await _decide(service, order_id, Action.CANCEL, actor, body, idempotency_key)


async def _decide(service: OrderService, order_id: str, action: Action, actor: Actor,
                  body: DecisionBody | None, idempotency_key: str | None) -> OrderDecided:
    status = await service.decide(order_id, action, actor, reason=body.reason if body else None,
                                    request_id=decision_request_id(action, actor, idempotency_key))
    awaiting = None
    if status is OrderStatus.PENDING_APPROVAL:  # a signature that left a step open: whose is next
        awaiting = (await service.details(order_id)).awaiting_role
    return OrderDecided(order_id=order_id, status=status, awaiting_role=awaiting)

