"""Reads and idempotent writes of the ledger. Synchronous SQLAlchemy: callers on an event loop use
``asyncio.to_thread`` (the service does), activities run in the worker's thread pool."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, and_, create_engine, event, exists, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select

from core.ledger import local
from core.ledger.schema import approval_steps, fulfilment, notices, orders, transitions, write_failures
from core.ledger.schema import changes as feed
from core.ledger.users import UserTable
from core.ledger.writes import WriteStatements
from core.models import (
    ALL_ORDERS,
    SYSTEM_ACTOR,
    ApprovalStep,
    FulfilmentInput,
    LedgerEntry,
    OrderChange,
    OrderDetails,
    OrderFilter,
    OrderStatus,
    OrderSummary,
    Role,
    Signature,
    StuckOrder,
    Transition,
)
from core.text import fold

FEED_LOCK_ID = 0x0D0E5C + 1  # PostgreSQL advisory lock of the change feed's inserts (the migrations hold 0x0D0E5C)


def _where(query: Select, where: OrderFilter) -> Select:
    """``where`` as SQL: the one place the domain's filter meets the tables."""
    if where.statuses is not None:
        query = query.where(orders.c.status.in_(sorted(status.value for status in where.statuses)))
    if where.q:
        query = query.where(orders.c.item_folded.contains(fold(where.q), autoescape=True))
    if where.created_by:
        query = query.where(orders.c.created_by == where.created_by)
    if where.since is not None:
        query = query.where(orders.c.created_at >= where.since)
    if where.until is not None:
        query = query.where(orders.c.created_at < where.until)
    if where.awaiting_roles is not None:
        query = query.where(orders.c.status == OrderStatus.PENDING_APPROVAL.value,
                            orders.c.awaiting_role.in_(sorted(role.value for role in where.awaiting_roles)))
    if where.reviewer is not None:
        signed = exists().where(approval_steps.c.order_id == orders.c.order_id,
                                approval_steps.c.signed_by == where.reviewer)
        query = query.where(orders.c.created_by != where.reviewer, ~signed)
    if where.min_amount is not None:
        query = query.where(orders.c.amount >= where.min_amount)
    if where.max_amount is not None:
        query = query.where(orders.c.amount <= where.max_amount)
    if where.currency is not None:
        query = query.where(orders.c.currency == where.currency)
    return query


_BUSY_TIMEOUT_S = 30
_SQLITE_BUSY = 5


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
    _into_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _into_wal(cursor: sqlite3.Cursor) -> None:
    """WAL mode, waiting for it like any other lock. The mode is the file's, set once by whoever opens a new ledger
    first; but switching needs the file to itself and SQLite answers "database is locked" at once, without its
    busy handler, while another process holds any lock: of processes opening one new ledger together, one died."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # a no-op once the file is in WAL mode
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != _SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        database = engine.url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _database_key(engine: Engine) -> str:
    """One key per database: a SQLite file by its real path (an in-memory database is each engine's own)."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            return f"memory:{id(engine)}"
        return "sqlite:" + os.path.realpath(database)
    return engine.url.render_as_string(hide_password=True)


class Ledger:
    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            from core.ledger.migrate import upgrade

            upgrade(self.engine)
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        self._insert = insert
        self._writes = WriteStatements.of(insert)
        self.users = UserTable(self.engine)
        self.local = local.database(_database_key(self.engine), sqlite=self.engine.dialect.name == "sqlite")

    def close(self) -> None:
        self.engine.dispose()

    # ---- writes (the workflow's activities only) -------------------------------------------------

    def record(self, details: OrderDetails) -> None:
        """Upsert the order and every transition in its history (a rebuild from Temporal)."""
        self.write(LedgerEntry.of(details))

    def write(self, entry: LedgerEntry, *, recovered: bool = False) -> None:
        """Upsert the order's row and the entry's transitions, in one transaction. Idempotent: replaying the
        same or an older entry changes nothing. ``recovered``: an earlier attempt failed, so its note goes."""
        with self.local.writing(), self.engine.begin() as db:
            announced = self._write(db, entry)
            if recovered:
                self._forget_failure(db, entry.summary.order_id)
        if announced:
            self.local.changed()

    def terminate(self, known: OrderDetails, entry: Transition) -> OrderDetails:
        """``known`` (the order as last seen) closed by ``entry`` (``core.closed_outside``), unless the ledger holds
        the order final already (approved and fulfilled, say, before Temporal closed it): the order as the ledger then
        holds it. The entry goes after the newest the workflow or the ledger knows, read in the same transaction, so
        it is never dropped as an older one; the order's row locked meanwhile (PostgreSQL; SQLite's writers queue)."""
        with self.local.writing(), self.engine.begin() as db:
            row = db.execute(select(orders.c.status, orders.c.last_seq).where(orders.c.order_id == known.order_id)
                             .with_for_update()).first()
            announced = False
            if row is None or not OrderStatus(row.status).is_final:
                seqs = [t.seq if t.seq is not None else index for index, t in enumerate(known.history)]
                last = max([*seqs, -1 if row is None else row.last_seq])
                closed = known.model_copy(update={
                    "status": entry.status, "updated_at": entry.at, "awaiting_role": None,
                    "history": [*known.history, entry.model_copy(update={"seq": last + 1})]})
                announced = self._write(db, LedgerEntry.of(closed))
        if announced:
            self.local.changed()
        details = self.get(known.order_id)
        assert details is not None  # written above, or there already
        return details

    def note_failure(self, order_id: str, error: str) -> None:
        """Count a failed write of ``order_id`` (its own transaction: the failed one was rolled back)."""
        now = datetime.now(UTC)
        statement = self._insert(write_failures).values(order_id=order_id, attempts=1, error=error,
                                                        first_failed_at=now, last_failed_at=now)
        statement = statement.on_conflict_do_update(index_elements=[write_failures.c.order_id], set_={
            "attempts": write_failures.c.attempts + 1, "error": error, "last_failed_at": now})
        with self.local.writing(), self.engine.begin() as db:
            db.execute(statement)

    def _forget_failure(self, db: Connection, order_id: str) -> None:
        db.execute(write_failures.delete().where(write_failures.c.order_id == order_id))

    def stuck_orders(self, min_attempts: int = 2) -> list[StuckOrder]:
        """Orders whose ledger write failed at least ``min_attempts`` times in a row, longest stuck first."""
        query = (select(write_failures).where(write_failures.c.attempts >= min_attempts)
                 .order_by(write_failures.c.first_failed_at))
        with self.engine.connect() as db:
            return [StuckOrder(**row) for row in db.execute(query).mappings()]

    def _write(self, db: Connection, entry: LedgerEntry) -> bool:
        """Whether the change feed grew."""
        order = entry.summary
        order_row = {
            "order_id": order.order_id, "item": order.item, "item_folded": fold(order.item),
            "quantity": order.quantity, "status": order.status.value, "created_by": order.created_by,
            "created_at": order.created_at, "updated_at": order.updated_at or order.created_at,
            "last_seq": entry.last_seq, "unit_price": order.unit_price, "currency": order.currency,
            "amount": order.amount, "awaiting_role": order.awaiting_role,
        }
        transition_rows = [
            {"order_id": order.order_id, "seq": seq, "status": t.status.value, "at": t.at, "actor": t.actor,
             "reason": t.reason, "kind": t.kind, "awaiting_role": t.awaiting_role}
            for seq, t in entry.numbered()
        ]
        db.execute(self._writes.upsert_order, order_row)
        self._write_steps(db, order.order_id, entry.steps)
        if not transition_rows:
            return False
        added = db.scalars(self._writes.add_transitions, transition_rows).all()
        return self._announce(db, order.order_id, sorted(added))

    def _write_steps(self, db: Connection, order_id: str, steps: list[ApprovalStep]) -> None:
        """Upsert the order's steps (``WriteStatements.upsert_steps``: a signature, once written, stays)."""
        if not steps:
            return
        db.execute(self._writes.upsert_steps, [
            {"order_id": order_id, "step": index, "role": step.role.value,
             "signed_by": step.signature.actor if step.signature else None,
             "signer_role": step.signature.role.value if step.signature and step.signature.role else None,
             "signed_at": step.signature.at if step.signature else None,
             "comment": step.signature.comment if step.signature else None}
            for index, step in enumerate(steps)])

    def _announce(self, db: Connection, order_id: str, entry_seqs: list[int]) -> bool:
        """Add the history entries this write inserted to the change feed, in the same transaction: a retried
        write inserts no entry, so it announces none.

        A reader asks for ``seq > last``, so no change may commit after a higher ``seq`` is visible. SQLite holds
        its one write lock from the first write to the commit; on PostgreSQL a transaction-scoped advisory lock,
        taken just before the sequence is drawn, makes feed inserts commit in ``seq`` order (docs/LEDGER.md)."""
        if not entry_seqs:
            return False
        if db.dialect.name == "postgresql":
            db.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": FEED_LOCK_ID})
        # An entry announced before its transitions row was lost (and now rebuilt) is not announced again.
        db.execute(self._writes.announce, [{"order_id": order_id, "entry_seq": seq} for seq in entry_seqs])
        return True

    def record_fulfilment(self, entry: FulfilmentInput, *, recovered: bool = False) -> bool:
        """Insert the order's one fulfilment row, with its final ledger entry in the same transaction;
        False when the row was already there (a retry)."""
        row = {"order_id": entry.order_id, "outcome": entry.outcome.value, "actor": entry.actor,
               "reason": entry.reason, "recorded_at": datetime.now(UTC)}
        with self.local.writing(), self.engine.begin() as db:
            announced = entry.ledger is not None and self._write(db, entry.ledger)
            if recovered:
                self._forget_failure(db, entry.order_id)
            created = db.execute(self._writes.add_fulfilment, row).first() is not None
        if announced:
            self.local.changed()
        return created

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
            steps = self._steps(db, [order_id]).get(order_id, [])
        return OrderDetails(
            order_id=row["order_id"], item=row["item"], quantity=row["quantity"], status=OrderStatus(row["status"]),
            created_by=row["created_by"], created_at=row["created_at"], updated_at=row["updated_at"],
            history=[Transition(status=OrderStatus(t["status"]), at=t["at"], actor=t["actor"], reason=t["reason"],
                                kind=t["kind"], seq=t["seq"], awaiting_role=t["awaiting_role"]) for t in history],
            reminders=sum(t["kind"] == "reminder" for t in history),
            fulfilled=bool(fulfilled) or OrderStatus(row["status"]) is OrderStatus.CANCELLED,
            unit_price=row["unit_price"], currency=row["currency"], amount=row["amount"],
            awaiting_role=row["awaiting_role"], steps=steps,
            approval_reason=next((t["reason"] for t in history if t["kind"] == "transition" and t["seq"] > 0
                                  and t["status"] == OrderStatus.PENDING_APPROVAL and t["actor"] == SYSTEM_ACTOR
                                  and t["reason"]), None) if steps else None,
        )

    def steps_of(self, order_ids: list[str]) -> dict[str, list[ApprovalStep]]:
        """The steps (with their signatures) of each of ``order_ids`` that has any: one query for a whole batch."""
        with self.engine.connect() as db:
            return self._steps(db, order_ids)

    def _steps(self, db: Connection, order_ids: list[str]) -> dict[str, list[ApprovalStep]]:
        found: dict[str, list[ApprovalStep]] = {}
        if not order_ids:
            return found
        query = (select(approval_steps).where(approval_steps.c.order_id.in_(order_ids))
                 .order_by(approval_steps.c.order_id, approval_steps.c.step))
        for row in db.execute(query).mappings():
            signature = None if row["signed_by"] is None else Signature(
                actor=row["signed_by"], role=row["signer_role"], at=row["signed_at"], comment=row["comment"])
            found.setdefault(row["order_id"], []).append(ApprovalStep(role=Role(row["role"]), signature=signature))
        return found

    # ---- e-mail notices (the notify activity only) -----------------------------------------------

    def notice_sent(self, message_id: str) -> bool:
        with self.engine.connect() as db:
            return db.scalar(select(exists().where(notices.c.message_id == message_id))) or False

    def record_notice(self, message_id: str, order_id: str, role: str, recipients: list[str]) -> None:
        """Remember that the notice ``message_id`` went out, so a retried activity does not send it again."""
        statement = self._insert(notices).values(message_id=message_id, order_id=order_id, role=role,
                                                 recipients=",".join(recipients), sent_at=datetime.now(UTC))
        with self.local.writing(), self.engine.begin() as db:
            db.execute(statement.on_conflict_do_nothing())

    def list(self, where: OrderFilter = ALL_ORDERS, limit: int = 200, offset: int = 0) -> list[OrderSummary]:
        """Newest first; ties broken by order ID so pages never overlap."""
        query = _where(select(orders), where).order_by(orders.c.created_at.desc(), orders.c.order_id.desc())
        with self.engine.connect() as db:
            rows = db.execute(query.limit(limit).offset(offset)).mappings().all()
        return [_summary(row) for row in rows]

    def changes(self, after: int = 0, limit: int = 100) -> list[OrderChange]:
        """The change feed after ``after``, oldest first; each change with the order as it was right after it
        (a reminder leaves ``updated_at`` at the last transition or signature, as the workflow does)."""
        entry = transitions.alias("entry")
        earlier = transitions.alias("earlier")
        updated_at = (select(func.max(earlier.c.at))
                      .where(earlier.c.order_id == feed.c.order_id, earlier.c.seq <= feed.c.entry_seq,
                             earlier.c.kind != "reminder")
                      .scalar_subquery())
        query = (select(feed.c.seq, feed.c.entry_seq, entry.c.kind, entry.c.status, entry.c.at, entry.c.actor,
                        entry.c.reason, orders.c.order_id, orders.c.item, orders.c.quantity, orders.c.created_by,
                        orders.c.created_at, updated_at.label("updated_at"), orders.c.unit_price, orders.c.currency,
                        orders.c.amount, entry.c.awaiting_role)
                 .select_from(feed.join(entry, and_(entry.c.order_id == feed.c.order_id,
                                                    entry.c.seq == feed.c.entry_seq))
                              .join(orders, orders.c.order_id == feed.c.order_id))
                 .where(feed.c.seq > after).order_by(feed.c.seq).limit(limit))
        with self.engine.connect() as db:
            rows = db.execute(query).mappings().all()
        return [OrderChange(seq=row["seq"], order_id=row["order_id"],
                            kind="created" if row["entry_seq"] == 0 else row["kind"],
                            status=OrderStatus(row["status"]), at=row["at"], actor=row["actor"], reason=row["reason"],
                            order=_summary(row)) for row in rows]

    def last_change(self) -> int:
        """The newest ``seq`` of the change feed, 0 when it is empty."""
        with self.engine.connect() as db:
            return db.scalar(select(func.max(feed.c.seq))) or 0

    def count(self, where: OrderFilter = ALL_ORDERS) -> int:
        with self.engine.connect() as db:
            return db.scalar(_where(select(func.count()).select_from(orders), where)) or 0

    def oldest(self, status: OrderStatus) -> datetime | None:
        """When the oldest order in ``status`` was created (None: there is none): one look at its index."""
        with self.engine.connect() as db:
            return db.scalar(select(func.min(orders.c.created_at)).where(orders.c.status == status.value))

    def page(self, where: OrderFilter, limit: int, after: OrderSummary | None = None) -> list[OrderSummary]:
        """At most ``limit`` orders of the filtered list, newest first, from just after ``after`` (keyset
        paging): each batch is one short query, so no transaction or cursor is held between batches."""
        query = _where(select(orders), where)
        if after is not None:
            query = query.where(or_(orders.c.created_at < after.created_at, and_(
                orders.c.created_at == after.created_at, orders.c.order_id < after.order_id)))
        query = query.order_by(orders.c.created_at.desc(), orders.c.order_id.desc()).limit(limit)
        with self.engine.connect() as db:
            return [_summary(row) for row in db.execute(query).mappings()]

    def stream(self, where: OrderFilter = ALL_ORDERS, chunk: int = 1000) -> Iterator[list[OrderSummary]]:
        """The whole filtered list in batches of ``chunk`` (``page`` after ``page``): constant memory at any size."""
        after = None
        while True:
            batch = self.page(where, chunk, after)
            if batch:
                yield batch
            if len(batch) < chunk:
                return
            after = batch[-1]


def _summary(row: object) -> OrderSummary:
    return OrderSummary(
        order_id=row["order_id"], item=row["item"], quantity=row["quantity"],  # type: ignore[index]
        status=OrderStatus(row["status"]), created_by=row["created_by"],  # type: ignore[index]
        created_at=row["created_at"], updated_at=row["updated_at"],  # type: ignore[index]
        unit_price=row["unit_price"], currency=row["currency"], amount=row["amount"],  # type: ignore[index]
        awaiting_role=row["awaiting_role"],  # type: ignore[index]
    )
