"""Tables of the ledger (SQLAlchemy Core). Changes go through an Alembic migration in ``migrations/``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from core.money import MAX_DECIMALS, normalized


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


class Amount(TypeDecorator[Decimal]):
    """An exact amount (at most 4 decimals, below 10^14: ``core.money``), never a float on the way: ``NUMERIC(28, 4)``
    on PostgreSQL; on SQLite, whose NUMERIC would keep a REAL, a 64-bit integer of ten-thousandths, which compares,
    sorts and filters as the amount does."""

    impl = Numeric(28, MAX_DECIMALS)
    cache_ok = True
    _SCALE = Decimal(10) ** MAX_DECIMALS

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[object]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(28, MAX_DECIMALS, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> object:
        if value is None:
            return None
        if dialect.name != "sqlite":
            return value
        scaled = Decimal(value) * self._SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {MAX_DECIMALS} decimals")
        return int(scaled)

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return normalized(Decimal(int(value)) / self._SCALE)  # type: ignore[call-overload]
        return normalized(Decimal(value))  # type: ignore[arg-type]


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
    Column("unit_price", Amount()),  # null: no price
    Column("currency", String(3)),
    Column("amount", Amount()),  # quantity × unit_price
    Column("awaiting_role", String(16)),  # whose signature a pending order awaits
    Index("ix_orders_status_created_at", "status", "created_at"),
    Index("ix_orders_created_at", "created_at"),
    Index("ix_orders_created_by_created_at", "created_by", "created_at"),
    Index("ix_orders_awaiting_role_created_at", "awaiting_role", "created_at"),
    Index("ix_orders_amount", "amount"),
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
    Column("awaiting_role", String(16)),  # the role awaited right after this entry (the change feed's summary)
)

approval_steps = Table(
    "approval_steps", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("step", Integer, primary_key=True),  # from 0, in signing order
    Column("role", String(16), nullable=False),  # the role it awaits (that role or a higher one signs)
    Column("signed_by", String(100)),  # null until signed; written once
    Column("signer_role", String(16)),
    Column("signed_at", UTCDateTime()),
    Column("comment", Text),
)

notices = Table(
    "notices", metadata,
    Column("message_id", String(250), primary_key=True),  # the e-mail's Message-ID: (order, step, notice)
    Column("order_id", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("recipients", Text, nullable=False),  # comma-separated addresses it went to
    Column("sent_at", UTCDateTime(), nullable=False),
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
    Column("email", String(254)),  # where approval notices go (docs/APPROVALS.md); null: none
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
