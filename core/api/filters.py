"""The query parameters that choose orders, shared by ``GET /orders`` and ``GET /orders.csv`` so the list
and the export always agree (both become one ``core.models.OrderFilter``).

Times are ISO 8601 and parsed here, not by pydantic's ``datetime``: that one also takes Unix timestamps and
other shapes the OpenAPI document could not describe. The pattern below is exactly what is accepted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError

from core.api.auth import AuthMode, Caller, authenticate, current_actor
from core.models import SIGNING_ROLES, Actor, OrderFilter, OrderStatus, Role
from core.money import MoneyError, checked_price, currency_code

ISO_DATETIME = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
                r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$")
_NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot hold NUL in text: refused here, not failed on there

_TIME_RULES = ("ISO 8601, e.g. `2025-06-01`, `2025-06-01T08:30:00+07:00` or `2025-06-01T01:30:00Z`; "
               "a time without an offset (or a bare date, meaning midnight) is taken as UTC")


def _parameter_error(name: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def parse_utc(name: str, value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime; a naive one is taken as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise _parameter_error(name, f"not a valid ISO 8601 date-time: {err}") from err
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as err:
        raise _parameter_error(name, "out of range once converted to UTC") from err


_AMOUNT = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"


def _amount(name: str, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return checked_price(value)
    except MoneyError as err:
        raise _parameter_error(name, str(err)) from err


def _currency(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return currency_code(value)
    except MoneyError as err:
        raise _parameter_error("currency", str(err)) from err


def _text(value: str | None) -> str | None:
    """Surrounding spaces dropped (item texts are stored trimmed); empty means no filter, as a blank form field."""
    value = value.strip() if value is not None else None
    return value or None


async def order_filter(
    request: Request,
    caller: Annotated[Caller, Depends(authenticate)],
    actor: Annotated[Actor, Depends(current_actor)],
    status: Annotated[list[OrderStatus] | None, Query(
        description="only orders in this status; repeat it for several (`status=VALIDATING&status=PENDING_APPROVAL`)"
    )] = None,
    q: Annotated[str | None, Query(
        max_length=200, pattern=_NO_NUL,
        description="only orders whose item contains this text, case-insensitive (Vietnamese too); "
                    "`%` and `_` are plain characters")] = None,
    created_by: Annotated[str | None, Query(
        max_length=100, pattern=_NO_NUL, description="only orders created by this user (exact name)")] = None,
    since: Annotated[str | None, Query(
        pattern=ISO_DATETIME, examples=["2025-06-01T00:00:00Z"],
        description=f"only orders created at or after this time. {_TIME_RULES}")] = None,
    until: Annotated[str | None, Query(
        pattern=ISO_DATETIME, examples=["2025-07-01"],
        description=f"only orders created before this time (exclusive). {_TIME_RULES}")] = None,
    awaiting_role: Annotated[list[Role] | None, Query(
        description="only pending orders awaiting this role's signature; repeat it for several")] = None,
    needs_review_by: Annotated[Literal["me"] | None, Query(
        description="`me`: the pending orders the caller may sign next: their step awaits the caller's role or a "
                    "lower one, and (where four-eyes applies) the caller neither created them nor signed a step",
    )] = None,
    min_amount: Annotated[str | None, Query(
        pattern=_AMOUNT, examples=["5000000"], description="only orders whose amount is at least this (a plain "
                                                            "decimal; orders without a price are left out)")] = None,
    max_amount: Annotated[str | None, Query(
        pattern=_AMOUNT, examples=["50000000"], description="only orders whose amount is at most this")] = None,
    currency: Annotated[str | None, Query(
        pattern="^[A-Za-z]{3}$", examples=["VND"], description="only orders priced in this currency (ISO 4217)",
    )] = None,
) -> OrderFilter:
    start, end = parse_utc("since", since), parse_utc("until", until)
    if start is not None and end is not None and end <= start:
        raise _parameter_error("until", "must be later than since (until is exclusive)")
    low, high = _amount("min_amount", min_amount), _amount("max_amount", max_amount)
    if low is not None and high is not None and high < low:
        raise _parameter_error("max_amount", "must not be below min_amount")
    roles = frozenset(awaiting_role) if awaiting_role else None
    reviewer = None
    if needs_review_by == "me":
        mine = frozenset(role for role in SIGNING_ROLES if actor.role is None or actor.role.may_sign(role))
        roles = mine if roles is None else roles & mine
        service = request.app.state.service
        if service is not None and service.four_eyes(caller.mode is AuthMode.USERS):
            reviewer = actor.name
    return OrderFilter(statuses=frozenset(status) if status else None, q=_text(q), created_by=_text(created_by),
                       since=start, until=end, awaiting_roles=roles, reviewer=reviewer, min_amount=low,
                       max_amount=high, currency=_currency(currency))
