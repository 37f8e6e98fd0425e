"""order status

Revision ID: 3c4d5e6f7a8b
Revises: 2b3c4d5e6f7a
Create Date: 2026-11-05 16:40:12.551020

Risky, as autogenerate writes it: a volatile server default rewrites the table, the index build
blocks writes, a NOT NULL column without a server default fails on a table with rows, and
nothing sets a lock timeout.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision: str = "3c4d5e6f7a8b"
down_revision: Union[str, None] = "2b3c4d5e6f7a"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column(
        "orders",
        sa.Column("public_id", postgresql.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=True),
    )
    op.create_index(op.f("ix_orders_number"), "orders", ["number"], unique=False)
    op.add_column("orders", sa.Column("status", sa.String(length=20), nullable=False))


def downgrade() -> None:
    op.drop_column("orders", "status")
    op.drop_index(op.f("ix_orders_number"), table_name="orders")
    op.drop_column("orders", "public_id")
