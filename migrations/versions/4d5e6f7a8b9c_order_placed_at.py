"""order placed_at and referrer

Revision ID: 4d5e6f7a8b9c
Revises: 3c4d5e6f7a8b
Create Date: 2026-11-09 11:21:40.700931

Safe: a lock timeout, a stable default (no rewrite since PostgreSQL 11), a foreign key added
NOT VALID and validated without blocking writes, and an index built concurrently outside the
revision's transaction.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "4d5e6f7a8b9c"
down_revision: Union[str, None] = "3c4d5e6f7a8b"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.add_column("orders", sa.Column("placed_at", sa.DateTime(timezone=True), server_default=sa.text("now()")))
    op.add_column("orders", sa.Column("referrer_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        "orders_referrer_id_fkey", "orders", "customers", ["referrer_id"], ["id"], postgresql_not_valid=True
    )
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT orders_referrer_id_fkey")
    with op.get_context().autocommit_block():
        op.create_index("ix_orders_placed_at", "orders", ["placed_at"], postgresql_concurrently=True)


def downgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    with op.get_context().autocommit_block():
        op.drop_index("ix_orders_placed_at", table_name="orders", postgresql_concurrently=True)
    op.drop_constraint("orders_referrer_id_fkey", "orders", type_="foreignkey")
    op.drop_column("orders", "referrer_id")  # miglint: ignore drop-column -- added by this revision
    op.drop_column("orders", "placed_at")  # miglint: ignore drop-column -- added by this revision
