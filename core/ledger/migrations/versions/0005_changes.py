"""The change feed: one row per new history entry, numbered in commit order (``GET /events`` reads it).

Orders written before this revision are not in the feed; a reader starts from what is written after it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from core.ledger.schema import FEED_SEQ

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", FEED_SEQ, primary_key=True, autoincrement=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("entry_seq", sa.Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ux_changes_order_entry", "changes", ["order_id", "entry_seq"], unique=True)


def downgrade() -> None:
    op.drop_table("changes")
