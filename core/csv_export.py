"""The one CSV writer: the same file for REST (``GET /orders.csv``) and the desktop's File → Export.

Cells are made safe to open in a spreadsheet (OWASP, "CSV injection"): a text that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would be read as a formula by Excel or LibreOffice, so it gets a
leading ``'``, which they show as text. Numbers are written as numbers.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING

from core.models import ApprovalStep, OrderFilter, OrderSummary
from core.money import plain

if TYPE_CHECKING:
    from core.ledger import Ledger

CSV_HEADER = ["order_id", "item", "quantity", "status", "created_by", "created_at", "updated_at",
              "unit_price", "currency", "amount", "awaiting_role", "signatures"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet will not evaluate it: texts that would start a formula get a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


# How every export begins: a byte-order mark (so spreadsheets read Vietnamese right) and the header row.
CSV_HEAD = "\ufeff" + csv_rows([CSV_HEADER])


def csv_chunk(orders: Iterable[OrderSummary], steps: Mapping[str, list[ApprovalStep]] | None = None) -> str:
    """Rows of orders, in ``CSV_HEADER``'s columns; ``steps`` (by order ID) fills the signatures column.

    Prices and amounts are plain decimals (``1250000``, ``12.5``: a dot, no grouping, never an exponent), so every
    spreadsheet reads them as numbers; ``signatures`` lists each signed step as ``role: signer``, ``; ``-separated."""
    steps = steps or {}
    return csv_rows([order.order_id, order.item, order.quantity, order.status.value, order.created_by,
                     order.created_at.isoformat(), order.updated_at.isoformat() if order.updated_at else "",
                     plain(order.unit_price) if order.unit_price is not None else "", order.currency or "",
                     plain(order.amount) if order.amount is not None else "",
                     order.awaiting_role.value if order.awaiting_role else "",
                     signatures(steps.get(order.order_id, []))]
                    for order in orders)


def signatures(steps: list[ApprovalStep]) -> str:
    """``manager: mona; director: dan``: who signed which step, in order."""
    return "; ".join(f"{step.role}: {step.signature.actor}" for step in steps if step.signature is not None)


async def ledger_csv(ledger: Ledger, where: OrderFilter, chunk: int = 1000) -> AsyncIterator[str]:
    """The ledger's orders that ``where`` keeps, as CSV text chunks (UTF-8 BOM first, so spreadsheets read Vietnamese
    right), read in keyset batches: constant memory, and a download that stalls or is abandoned holds no connection."""
    yield CSV_HEAD
    after: OrderSummary | None = None
    while True:
        batch = await asyncio.to_thread(ledger.page, where, chunk, after)
        if batch:
            steps = await asyncio.to_thread(ledger.steps_of, [order.order_id for order in batch])
            yield csv_chunk(batch, steps)
        if len(batch) < chunk:
            return
        after = batch[-1]
