"""Apply the ledger's Alembic migrations: on start (every process that opens the ledger) and by
``order-desk db upgrade``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_ID = 0x0D0E5C  # PostgreSQL advisory lock: two processes starting at once migrate one after the other


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        # Processes that open one new ledger together (serve and a worker on compose, or side by side) migrate one
        # after the other: each takes the database's lock before it reads the revision, so the second finds the
        # first's tables done instead of creating them again ("table orders already exists").
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock now, waiting up to busy_timeout
        _known_to_this_version(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _known_to_this_version(connection: Connection) -> None:
    """A ledger a newer Order Desk migrated (going back to an older one after an upgrade) is refused in one line,
    naming its revision: Alembic's own answer was a traceback ("Can't locate revision identified by ...")."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    from core import __version__
    from core.errors import LedgerTooNew

    at = MigrationContext.configure(connection).get_current_revision()
    if at is None:
        return
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(at)
    except CommandError:
        raise LedgerTooNew(f"the ledger is at revision {at}, which this Order Desk ({__version__}) does not know: a "
                           f"newer Order Desk upgraded it; run that version, or restore a backup from before the "
                           f"upgrade") from None


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str:
    """The newest revision in ``migrations/``: what ``upgrade`` brings a ledger to."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision
