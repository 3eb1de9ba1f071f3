"""Custom search attributes: what an orders list can show without querying each workflow."""

from __future__ import annotations

from datetime import datetime

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
ORDER_ITEM = SearchAttributeKey.for_keyword("OrderItem")
ORDER_QUANTITY = SearchAttributeKey.for_int("OrderQuantity")
ORDER_CREATED_BY = SearchAttributeKey.for_keyword("OrderCreatedBy")
ORDER_UPDATED_AT = SearchAttributeKey.for_datetime("OrderUpdatedAt")

ALL = (ORDER_STATUS, ORDER_ITEM, ORDER_QUANTITY, ORDER_CREATED_BY, ORDER_UPDATED_AT)


def type_name(key: SearchAttributeKey) -> str:
    """The name Temporal's CLI and operator API use for the key's type: Keyword, Int, Datetime..."""
    return key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_").title()


def initial(status: str, created_by: str, at: datetime,
            contents: tuple[str, int] | None) -> TypedSearchAttributes:
    """``contents`` (item, quantity) is None when payloads are encrypted: search attributes are not."""
    pairs: list[SearchAttributePair] = [
        SearchAttributePair(ORDER_STATUS, status),
        SearchAttributePair(ORDER_CREATED_BY, created_by),
        SearchAttributePair(ORDER_UPDATED_AT, at),
    ]
    if contents is not None:
        pairs += [SearchAttributePair(ORDER_ITEM, contents[0]), SearchAttributePair(ORDER_QUANTITY, contents[1])]
    return TypedSearchAttributes(pairs)
