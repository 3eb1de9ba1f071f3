"""The routes' dependencies, as ``Annotated`` aliases: the service, the caller and who acts, a checked order ID, the
order filter and the idempotency key (with the Update ID a keyed decision becomes)."""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Union, get_args, get_origin

from fastapi import Depends, Header, Path, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from core import idempotency
from core.api.auth import Caller, authenticate, current_actor
from core.api.filters import order_filter
from core.errors import OrderNotFound, TemporalUnavailable
from core.models import Action, Actor, OrderFilter
from core.service import OrderService, is_order_id


def _query_names(dependant: Dependant) -> dict[str, bool]:
    """The query parameters an endpoint takes, its dependencies' included: each with whether it may be repeated
    (a list, as ``status``)."""
    names = {param.alias: _repeatable(param.field_info.annotation) for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _repeatable(annotation: object) -> bool:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        return any(_repeatable(arg) for arg in get_args(annotation))
    return get_origin(annotation) in (list, set, frozenset, tuple)


async def known_query(request: Request) -> None:
    """Every endpoint's check (an app-wide dependency): a query parameter it does not take is a 422 naming it, never
    ignored, and so is one that takes one value given twice. Ignored, a typo chooses nothing: ``GET
    /orders.csv?stauts=APPROVED`` would export every order; and of ``currency=USD&currency=VND`` only the last
    counted."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route.dependant)  # a few parameters: walked per request rather than cached on the route
    given = dict.fromkeys(request.query_params)
    unknown = [name for name in given if name not in known]
    if unknown:
        takes = f"it takes {', '.join(sorted(known))}" if known else "it takes none"
        raise RequestValidationError([{"loc": ("query", name), "msg": f"not a parameter of this endpoint ({takes})",
                                       "type": "unknown_parameter"} for name in unknown])
    repeated = [name for name in given if not known[name] and len(request.query_params.getlist(name)) > 1]
    if repeated:
        raise RequestValidationError([{"loc": ("query", name), "msg": "given more than once; it takes one value",
                                       "type": "repeated_parameter"} for name in repeated])


async def _service(request: Request) -> OrderService:
    service: OrderService | None = getattr(request.app.state, "service", None)
    if service is None:
        raise TemporalUnavailable("the service is not connected to Temporal")
    return service


def not_found(order_id: str) -> OrderNotFound:
    """The 404 of an ID that names no order, quoting at most 80 characters of it."""
    return OrderNotFound(order_id if len(order_id) <= 80 else order_id[:80] + "…")


# Anything not shaped like an order ID cannot name an order: 404 here, before it reaches Temporal.
async def _order_id(order_id: Annotated[str, Path(description="the order's ID, as returned by `POST /orders`",
                                            examples=["order_3f9c2a7d41b0"])]) -> str:
    if not is_order_id(order_id):
        raise not_found(order_id)
    return order_id


OrderServiceDep = Annotated[OrderService, Depends(_service)]
CallerDep = Annotated[Caller, Depends(authenticate)]
ActorDep = Annotated[Actor, Depends(current_actor)]
OrderIdDep = Annotated[str, Depends(_order_id)]
OrderFilterDep = Annotated[OrderFilter, Depends(order_filter)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
    description="retry-safe requests: a retried request with the same key (1-200 visible ASCII characters) "
                "is the same request, not a second one")]


def decision_request_id(action: Action, actor: Actor, idempotency_key: str | None) -> str | None:
    """The Update ID of a keyed decision: the same caller retrying the same action with the same key gets the
    first answer (with another reason: refused, ``core.idempotency``); another caller's key, or the key reused for
    another action, is a new request."""
    return idempotency.update_id(action.value, actor.name, idempotency_key)
