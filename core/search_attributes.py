"""Custom search attributes: what an orders list can show without querying each workflow."""

from __future__ import annotations

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


def initial(status: str) -> TypedSearchAttributes:
    """What a new order carries: its status alone.

    The ledger answers every list, search and export, so the other attributes no longer earn their place in the
    execution's mutable state, which each of the ~12 writes of an order copies (docs/BENCHMARKS.md). Orders started
    before this carry item, quantity, creator and update time too; the attributes stay registered for them."""
    return TypedSearchAttributes([SearchAttributePair(ORDER_STATUS, status)])
