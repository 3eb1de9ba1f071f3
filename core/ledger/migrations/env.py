"""Alembic environment: always called with a connection from ``core.ledger.migrate``."""

from alembic import context

from core.ledger.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
