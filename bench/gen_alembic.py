#!/usr/bin/env python3
"""Writes an Alembic project with a linear history of N revisions, as autogenerate writes them.

Usage: gen_alembic.py OUT_DIR [--revisions 1000]
Each revision does what real ones do: create a table, add columns (some risky), create
indexes and foreign keys, alter columns, run a data update, and has a matching downgrade.
"""
import argparse
import os
import random

ENV_PY = '''import os
from alembic import context
from sqlalchemy import create_engine

url = os.environ.get("DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")


def run(connection):
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
elif context.config.attributes.get("connection") is not None:
    run(context.config.attributes["connection"])  # a test harness's connection
else:
    with create_engine(url).connect() as connection:
        run(connection)
'''

HEADER = '''"""{message}

Revision ID: {rev}
Revises: {down}
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = "{rev}"
down_revision: Union[str, None] = {down_repr}
branch_labels = None
depends_on = None

'''


def revision_body(i, rng, tables):
    up, down = [], []
    kind = rng.random()
    if not tables or kind < 0.25:
        t = f"table_{i}"
        ref = rng.choice(tables) if tables else None
        cols = [
            'sa.Column("id", sa.BigInteger(), nullable=False)',
            'sa.Column("name", sa.String(length=120), nullable=False)',
            'sa.Column("amount", sa.Numeric(precision=12, scale=2), server_default="0", nullable=True)',
            'sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)',
        ]
        if ref:
            cols.append('sa.Column("parent_id", sa.BigInteger(), nullable=True)')
            cols.append(f'sa.ForeignKeyConstraint(["parent_id"], ["{ref}.id"])')
        cols.append('sa.PrimaryKeyConstraint("id")')
        up.append(f'op.create_table(\n        "{t}",\n        ' + ",\n        ".join(cols) + ",\n    )")
        up.append(f'op.create_index(op.f("ix_{t}_name"), "{t}", ["name"], unique=False)')
        down.append(f'op.drop_index(op.f("ix_{t}_name"), table_name="{t}")')
        down.append(f'op.drop_table("{t}")')
        tables.append(t)
        return up, down
    t = rng.choice(tables)
    if kind < 0.5:
        default = rng.choice(['', ', server_default="x"', ', server_default=sa.text("gen_random_uuid()::text")'])
        nullable = rng.choice(["True", "True", "False"])
        up.append(f'op.add_column("{t}", sa.Column("col_{i}", sa.Text(){default}, nullable={nullable}))')
        down.append(f'op.drop_column("{t}", "col_{i}")')
    elif kind < 0.65:
        conc = rng.random() < 0.5
        if conc:
            up.append('with op.get_context().autocommit_block():\n        '
                      f'op.create_index("ix_{i}", "{t}", ["created_at"], postgresql_concurrently=True)')
            down.append('with op.get_context().autocommit_block():\n        '
                        f'op.drop_index("ix_{i}", table_name="{t}", postgresql_concurrently=True)')
        else:
            up.append(f'op.create_index("ix_{i}", "{t}", ["created_at"], unique=False)')
            down.append(f'op.drop_index("ix_{i}", table_name="{t}")')
    elif kind < 0.75:
        up.append(f'op.execute("SET lock_timeout = \'5s\'")')
        up.append(f'op.alter_column("{t}", "amount", existing_type=sa.Numeric(12, 2), nullable=False)')
        down.append(f'op.alter_column("{t}", "amount", existing_type=sa.Numeric(12, 2), nullable=True)')
    elif kind < 0.85:
        up.append(f'op.execute("UPDATE {t} SET amount = 0 WHERE amount IS NULL")')
        down.append("pass")
    else:
        up.append(f'op.create_check_constraint("ck_{i}", "{t}", "amount >= 0")')
        down.append(f'op.drop_constraint("ck_{i}", "{t}", type_="check")')
    return up, down


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--revisions", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    versions = os.path.join(a.out, "versions")
    os.makedirs(versions, exist_ok=True)
    with open(os.path.join(a.out, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s\nsqlalchemy.url = postgresql://localhost/bench\n")
    with open(os.path.join(a.out, "env.py"), "w") as f:
        f.write(ENV_PY)
    tables = []
    down = None
    for i in range(1, a.revisions + 1):
        rev = f"{rng.getrandbits(48):012x}"
        up_ops, down_ops = revision_body(i, rng, tables)
        text = HEADER.format(message=f"step {i}", rev=rev, down=down or "",
                             down_repr=repr(down))
        text += "\ndef upgrade() -> None:\n    " + "\n    ".join(up_ops) + "\n\n\n"
        text += "def downgrade() -> None:\n    " + "\n    ".join(down_ops) + "\n"
        with open(os.path.join(versions, f"{rev}_step_{i}.py"), "w") as f:
            f.write(text)
        down = rev


if __name__ == "__main__":
    main()
