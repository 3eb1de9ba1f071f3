"""The one CSV writer: the same file for REST (``GET /orders.csv``) and the desktop's File → Export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from core.models import OrderSummary

CSV_HEADER = ["order_id", "item", "quantity", "status", "created_by", "created_at", "updated_at"]


def csv_rows(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


# How every export begins: a byte-order mark (so spreadsheets read Vietnamese right) and the header row.
CSV_HEAD = "\ufeff" + csv_rows([CSV_HEADER])


def csv_chunk(orders: Iterable[OrderSummary]) -> str:
    """Rows of orders, in ``CSV_HEADER``'s columns."""
    return csv_rows([order.order_id, order.item, order.quantity, order.status.value, order.created_by,
                     order.created_at.isoformat(), order.updated_at.isoformat() if order.updated_at else ""]
                    for order in orders)
