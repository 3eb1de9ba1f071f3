"""The query parameters that choose orders, shared by ``GET /orders`` and ``GET /orders.csv`` so the list
and the export always agree (both become one ``core.models.OrderFilter``).

Times are ISO 8601 and parsed here, not by pydantic's ``datetime``: that one also takes Unix timestamps and
other shapes the OpenAPI document could not describe. The pattern below is exactly what is accepted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from fastapi.exceptions import RequestValidationError

from core.models import OrderFilter, OrderStatus

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


def _text(value: str | None) -> str | None:
    """Surrounding spaces dropped (item texts are stored trimmed); empty means no filter, as a blank form field."""
    value = value.strip() if value is not None else None
    return value or None


async def order_filter(
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
) -> OrderFilter:
    start, end = parse_utc("since", since), parse_utc("until", until)
    if start is not None and end is not None and end <= start:
        raise _parameter_error("until", "must be later than since (until is exclusive)")
    return OrderFilter(statuses=frozenset(status) if status else None, q=_text(q), created_by=_text(created_by),
                       since=start, until=end)
