"""Reads and idempotent writes of the ledger. Synchronous SQLAlchemy: callers on an event loop use
``asyncio.to_thread`` (the service does), activities run in the worker's thread pool."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select

from core.ledger.schema import fulfilment, orders, transitions
from core.models import FulfilmentInput, OrderDetails, OrderStatus, OrderSummary, Transition


@dataclass(frozen=True)
class OrderFilter:
    """One filter for the list, the search and the CSV export, so they always agree."""

    status: OrderStatus | None = None
    q: str | None = None
    created_by: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, query: Select) -> Select:
        if self.status is not None:
            query = query.where(orders.c.status == self.status.value)
        if self.q:
            query = query.where(orders.c.item_folded.contains(fold(self.q), autoescape=True))
        if self.created_by:
            query = query.where(orders.c.created_by == self.created_by)
        if self.since is not None:
            query = query.where(orders.c.created_at >= self.since)
        if self.until is not None:
            query = query.where(orders.c.created_at < self.until)
        return query


ALL_ORDERS = OrderFilter()


def fold(text: str) -> str:
    """Search form of a text: NFC first, so Vietnamese typed decomposed (macOS) matches composed text."""
    return unicodedata.normalize("NFC", text).casefold()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        database = engine.url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Ledger:
    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            from core.ledger.migrate import upgrade

            upgrade(self.engine)
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        self._insert = insert

    def close(self) -> None:
        self.engine.dispose()

    # ---- writes (the workflow's activities only) -------------------------------------------------

    def record(self, details: OrderDetails) -> None:
        """Upsert the order and every transition in its history, in one transaction. Idempotent:
        replaying the same or an older ``details`` changes nothing."""
        with self.engine.begin() as db:
            self._record(db, details)

    def _record(self, db: Connection, details: OrderDetails) -> None:
        last_seq = len(details.history) - 1
        order_row = {
            "order_id": details.order_id, "item": details.item, "item_folded": fold(details.item),
            "quantity": details.quantity, "status": details.status.value, "created_by": details.created_by,
            "created_at": details.created_at, "updated_at": details.updated_at, "last_seq": last_seq,
        }
        upsert_order = self._insert(orders).values(order_row)
        upsert_order = upsert_order.on_conflict_do_update(
            index_elements=[orders.c.order_id],
            set_={name: upsert_order.excluded[name] for name in ("status", "updated_at", "last_seq")},
            where=orders.c.last_seq < upsert_order.excluded.last_seq,
        )
        transition_rows = [
            {"order_id": details.order_id, "seq": seq, "status": t.status.value, "at": t.at, "actor": t.actor,
             "reason": t.reason, "kind": t.kind}
            for seq, t in enumerate(details.history)
        ]
        db.execute(upsert_order)
        if transition_rows:
            db.execute(self._insert(transitions).on_conflict_do_nothing(), transition_rows)

    def record_fulfilment(self, entry: FulfilmentInput, details: OrderDetails | None = None) -> bool:
        """Insert the order's one fulfilment row, with its final ``details`` in the same transaction;
        False when the row was already there (a retry)."""
        statement = self._insert(fulfilment).values(
            order_id=entry.order_id, outcome=entry.outcome.value, actor=entry.actor, reason=entry.reason,
            recorded_at=datetime.now(UTC),
        ).on_conflict_do_nothing().returning(fulfilment.c.order_id)
        with self.engine.begin() as db:
            if details is not None:
                self._record(db, details)
            return db.execute(statement).first() is not None

    # ---- reads ---------------------------------------------------------------------------------

    def fulfilment_outcome(self, order_id: str) -> str | None:
        with self.engine.connect() as db:
            return db.scalar(select(fulfilment.c.outcome).where(fulfilment.c.order_id == order_id))

    def fulfilment_count(self, order_id: str | None = None) -> int:
        query = select(func.count()).select_from(fulfilment)
        if order_id is not None:
            query = query.where(fulfilment.c.order_id == order_id)
        with self.engine.connect() as db:
            return db.scalar(query) or 0

    def get(self, order_id: str) -> OrderDetails | None:
        with self.engine.connect() as db:
            row = db.execute(select(orders).where(orders.c.order_id == order_id)).mappings().first()
            if row is None:
                return None
            history = db.execute(
                select(transitions).where(transitions.c.order_id == order_id).order_by(transitions.c.seq)
            ).mappings().all()
            fulfilled = db.scalar(select(func.count()).select_from(fulfilment)
                                  .where(fulfilment.c.order_id == order_id))
        return OrderDetails(
            order_id=row["order_id"], item=row["item"], quantity=row["quantity"], status=OrderStatus(row["status"]),
            created_by=row["created_by"], created_at=row["created_at"], updated_at=row["updated_at"],
            history=[Transition(status=OrderStatus(t["status"]), at=t["at"], actor=t["actor"], reason=t["reason"],
                                kind=t["kind"]) for t in history],
            fulfilled=bool(fulfilled) or OrderStatus(row["status"]) is OrderStatus.CANCELLED,
        )

    def list(self, where: OrderFilter = ALL_ORDERS, limit: int = 200, offset: int = 0) -> list[OrderSummary]:
        """Newest first; ties broken by order ID so pages never overlap."""
        query = where.apply(select(orders)).order_by(orders.c.created_at.desc(), orders.c.order_id.desc())
        with self.engine.connect() as db:
            rows = db.execute(query.limit(limit).offset(offset)).mappings().all()
        return [_summary(row) for row in rows]

    def count(self, where: OrderFilter = ALL_ORDERS) -> int:
        with self.engine.connect() as db:
            return db.scalar(where.apply(select(func.count()).select_from(orders))) or 0

    def stream(self, where: OrderFilter = ALL_ORDERS, chunk: int = 1000) -> Iterator[list[OrderSummary]]:
        """The whole filtered list in chunks, with a server-side cursor: constant memory at any size."""
        query = where.apply(select(orders)).order_by(orders.c.created_at.desc(), orders.c.order_id.desc())
        with self.engine.connect() as db:
            result = db.execution_options(stream_results=True, yield_per=chunk).execute(query).mappings()
            for rows in result.partitions(chunk):
                yield [_summary(row) for row in rows]


def _summary(row: object) -> OrderSummary:
    return OrderSummary(
        order_id=row["order_id"], item=row["item"], quantity=row["quantity"],  # type: ignore[index]
        status=OrderStatus(row["status"]), created_by=row["created_by"],  # type: ignore[index]
        created_at=row["created_at"], updated_at=row["updated_at"],  # type: ignore[index]
    )
