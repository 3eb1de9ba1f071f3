"""The ledger's write statements, built once per dialect and executed with parameters.

Why: a statement built per write with its rows in it (``insert(...).values(rows)``, the transitions, the steps and
the change feed's rows) was compiled again at every write — SQLAlchemy does not cache a multi-row VALUES statement,
even of one row — which was most of a write's CPU in the worker (docs/BENCHMARKS.md). The same statement object,
given its rows as parameters (executemany; RETURNING through SQLAlchemy's insertmanyvalues on SQLite and
PostgreSQL), is compiled once per dialect and parameter set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_
from sqlalchemy.sql.dml import Insert

from core.ledger.schema import approval_steps, fulfilment, orders, transitions
from core.ledger.schema import changes as feed

# What a later write of an order may change in its row (the rest is fixed at creation).
ORDER_UPDATES = ("status", "updated_at", "last_seq", "awaiting_role")
SIGNATURE = ("signed_by", "signer_role", "signed_at", "comment")


@dataclass(frozen=True)
class WriteStatements:
    upsert_order: Insert  # a newer entry (higher last_seq) updates the row; an older or the same one changes nothing
    upsert_steps: Insert  # a signature is written once and never changed (a late retry cannot unsign)
    add_transitions: Insert  # returns the seq of each entry it inserted (none on a retry)
    announce: Insert  # the change feed's rows of those entries
    add_fulfilment: Insert  # returns the order's id when the row is new

    @classmethod
    def of(cls, insert: Callable[[Table], Any]) -> WriteStatements:
        """The statements for a dialect's ``insert`` (``sqlalchemy.dialects.sqlite.insert`` or PostgreSQL's)."""
        order = insert(orders)
        steps = insert(approval_steps)
        return cls(
            upsert_order=order.on_conflict_do_update(
                index_elements=[orders.c.order_id], set_={name: order.excluded[name] for name in ORDER_UPDATES},
                where=orders.c.last_seq < order.excluded.last_seq),
            upsert_steps=steps.on_conflict_do_update(
                index_elements=[approval_steps.c.order_id, approval_steps.c.step],
                set_={name: steps.excluded[name] for name in SIGNATURE},
                where=and_(approval_steps.c.signed_by.is_(None), steps.excluded.signed_by.is_not(None))),
            add_transitions=insert(transitions).on_conflict_do_nothing().returning(transitions.c.seq),
            announce=insert(feed).on_conflict_do_nothing(),
            add_fulfilment=insert(fulfilment).on_conflict_do_nothing().returning(fulfilment.c.order_id),
        )
