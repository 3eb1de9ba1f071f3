"""Approval steps: prices and amounts, the awaited role, each order's steps with their signatures, users' e-mail
addresses and the e-mail notices sent (so a retried activity sends a notice once).

Orders written before this revision have no price, no awaited role and no steps; they read as such.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from core.ledger.schema import Amount, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("unit_price", Amount()))
    op.add_column("orders", sa.Column("currency", sa.String(3)))
    op.add_column("orders", sa.Column("amount", Amount()))
    op.add_column("orders", sa.Column("awaiting_role", sa.String(16)))
    op.create_index("ix_orders_awaiting_role_created_at", "orders", ["awaiting_role", "created_at"])
    op.create_index("ix_orders_amount", "orders", ["amount"])
    op.add_column("transitions", sa.Column("awaiting_role", sa.String(16)))
    op.add_column("users", sa.Column("email", sa.String(254)))
    op.create_table(
        "approval_steps",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("step", sa.Integer, primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("signed_by", sa.String(100)),
        sa.Column("signer_role", sa.String(16)),
        sa.Column("signed_at", UTCDateTime()),
        sa.Column("comment", sa.Text),
    )
    op.create_table(
        "notices",
        sa.Column("message_id", sa.String(250), primary_key=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notices")
    op.drop_table("approval_steps")
    with op.batch_alter_table("users") as users:
        users.drop_column("email")
    with op.batch_alter_table("transitions") as transitions:
        transitions.drop_column("awaiting_role")
    op.drop_index("ix_orders_amount", "orders")
    op.drop_index("ix_orders_awaiting_role_created_at", "orders")
    with op.batch_alter_table("orders") as orders:
        for column in ("awaiting_role", "amount", "currency", "unit_price"):
            orders.drop_column(column)
