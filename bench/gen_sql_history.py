#!/usr/bin/env python3
"""Writes a reversible golang-migrate history of N migrations (up and down files).

Usage: gen_sql_history.py OUT_DIR [--migrations 300]
"""
import argparse
import os
import random


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--migrations", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    tables = []
    for i in range(1, a.migrations + 1):
        kind = rng.random()
        if not tables or kind < 0.2:
            t = f"t_{i}"
            up = (f"CREATE TABLE {t} (id bigserial PRIMARY KEY, name text NOT NULL, "
                  f"amount numeric(12, 2) DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now());\n"
                  f"CREATE INDEX {t}_name ON {t} (name);\n")
            down = f"DROP TABLE {t};\n"
            tables.append(t)
        else:
            t = rng.choice(tables)
            if kind < 0.45:
                up = f"SET lock_timeout = '5s';\nALTER TABLE {t} ADD COLUMN c_{i} text;\n"
                down = f"ALTER TABLE {t} DROP COLUMN c_{i};\n"
            elif kind < 0.6:
                up = f"CREATE INDEX i_{i} ON {t} (created_at);\n"
                down = f"DROP INDEX i_{i};\n"
            elif kind < 0.75:
                up = f"ALTER TABLE {t} ADD CONSTRAINT k_{i} CHECK (amount >= 0) NOT VALID;\n"
                down = f"ALTER TABLE {t} DROP CONSTRAINT k_{i};\n"
            elif kind < 0.85:
                up = f"CREATE TYPE e_{i} AS ENUM ('a', 'b');\nALTER TABLE {t} ADD COLUMN s_{i} e_{i};\n"
                down = f"ALTER TABLE {t} DROP COLUMN s_{i};\nDROP TYPE e_{i};\n"
            else:
                up = f"UPDATE {t} SET amount = 0 WHERE amount IS NULL;\n"
                down = "SELECT 1;\n"
        with open(os.path.join(a.out, f"{i:04d}_step.up.sql"), "w") as f:
            f.write(up)
        with open(os.path.join(a.out, f"{i:04d}_step.down.sql"), "w") as f:
            f.write(down)


if __name__ == "__main__":
    main()
