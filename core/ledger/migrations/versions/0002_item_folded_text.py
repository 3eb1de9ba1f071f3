"""The folded search copy of an item may be longer than the item: case folding turns ``ß`` into ``ss`` and
``ﬃ`` into ``ffi``, so 200 characters can fold to 600. Unbounded text, so every item that is accepted is stored.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("item_folded", type_=sa.Text(), existing_type=sa.String(200), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("item_folded", type_=sa.String(200), existing_type=sa.Text(), existing_nullable=False)
