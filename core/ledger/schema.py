"""Tables of the ledger (SQLAlchemy Core). Changes go through an Alembic migration in ``migrations/``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which stores no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

orders = Table(
    "orders", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("item", String(200), nullable=False),
    Column("item_folded", Text, nullable=False),  # casefolded (may be longer): case-insensitive search, Vietnamese too
    Column("quantity", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("last_seq", Integer, nullable=False),  # newest transition written: an older retry never regresses status
    Index("ix_orders_status_created_at", "status", "created_at"),
    Index("ix_orders_created_at", "created_at"),
    Index("ix_orders_created_by_created_at", "created_by", "created_at"),
)

transitions = Table(
    "transitions", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("status", String(32), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text),
    Column("kind", String(16), nullable=False),
)

fulfilment = Table(
    "fulfilment", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("outcome", String(32), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

write_failures = Table(
    "write_failures", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("attempts", Integer, nullable=False),  # failed writes since the last one that succeeded
    Column("error", Text, nullable=False),  # the database's reason for the latest, one line, no SQL
    Column("first_failed_at", UTCDateTime(), nullable=False),
    Column("last_failed_at", UTCDateTime(), nullable=False),
)

users = Table(
    "users", metadata,
    Column("name", String(100), primary_key=True),  # NFC, trimmed: the actor recorded on the orders
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False),  # SHA-256 hex of the token; never the token
    Column("created_at", UTCDateTime(), nullable=False),
    Column("token_created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),  # revoked users stay, so the store never falls back to the open demo
    UniqueConstraint("token_hash", name="uq_users_token_hash"),  # looked up by it on every request
)

# SQLite makes only "INTEGER PRIMARY KEY" the rowid, and AUTOINCREMENT never reuses a number.
FEED_SEQ = BigInteger().with_variant(Integer(), "sqlite")

changes = Table(
    "changes", metadata,
    Column("seq", FEED_SEQ, primary_key=True, autoincrement=True),  # the feed's order: commit order (store.py)
    Column("order_id", String(64), nullable=False),
    Column("entry_seq", Integer, nullable=False),  # the history entry (transitions.seq) this change announces
    Index("ux_changes_order_entry", "order_id", "entry_seq", unique=True),
    sqlite_autoincrement=True,
)
