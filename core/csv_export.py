"""CSV text for exports: the same columns for REST (`GET /orders.csv`) and the desktop's File → Export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

CSV_HEADER = ["order_id", "item", "quantity", "status", "created_by", "created_at", "updated_at"]


def csv_rows(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()
