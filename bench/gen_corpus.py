#!/usr/bin/env python3
"""Writes a synthetic SQL migration history: N statements in golang-migrate files.

Usage: gen_corpus.py OUT_DIR [--statements 20000] [--per-file 100]
The mix is what real histories contain: new tables with indexes and foreign keys, added
columns (some risky), index builds, constraint changes, renames, drops and data updates.
"""
import argparse
import os
import random


def statements(n, rng):
    tables = []
    out = []
    i = 0
    while len(out) < n:
        i += 1
        kind = rng.random()
        if not tables or kind < 0.12:
            t = f"table_{i}"
            ref = f" REFERENCES {rng.choice(tables)} (id)" if tables and rng.random() < 0.5 else ""
            out.append(
                f"CREATE TABLE {t} (\n    id bigserial PRIMARY KEY,\n"
                f"    parent_id bigint{ref},\n    name varchar(120) NOT NULL,\n"
                f"    amount numeric(12, 2) DEFAULT 0,\n    created_at timestamptz NOT NULL DEFAULT now()\n)")
            tables.append(t)
            continue
        t = rng.choice(tables)
        if kind < 0.35:
            default = rng.choice(["", " DEFAULT 0", " DEFAULT now()", " DEFAULT gen_random_uuid()"])
            typ = {"": "text", " DEFAULT 0": "integer", " DEFAULT now()": "timestamptz",
                   " DEFAULT gen_random_uuid()": "uuid"}[default]
            nn = " NOT NULL" if rng.random() < 0.2 else ""
            out.append(f"ALTER TABLE {t} ADD COLUMN col_{i} {typ}{default}{nn}")
        elif kind < 0.5:
            conc = " CONCURRENTLY" if rng.random() < 0.5 else ""
            out.append(f"CREATE INDEX{conc} idx_{i} ON {t} (name, created_at)")
        elif kind < 0.58:
            out.append(f"ALTER TABLE {t} ADD CONSTRAINT chk_{i} CHECK (amount >= 0) NOT VALID")
        elif kind < 0.64:
            out.append(f"ALTER TABLE {t} ALTER COLUMN name TYPE text")
        elif kind < 0.7:
            out.append(f"ALTER TABLE {t} ALTER COLUMN amount SET NOT NULL")
        elif kind < 0.76:
            out.append(f"UPDATE {t} SET amount = 0 WHERE amount IS NULL AND id < {i}")
        elif kind < 0.82:
            out.append(f"SET lock_timeout = '{rng.randint(1, 9)}s'")
        elif kind < 0.88:
            out.append(f"COMMENT ON TABLE {t} IS 'table number {i}; see docs'")
        elif kind < 0.92:
            out.append(f"ALTER TABLE {t} RENAME COLUMN name TO name_{i}")
            out.append(f"ALTER TABLE {t} RENAME COLUMN name_{i} TO name")
        else:
            out.append(
                f"CREATE OR REPLACE FUNCTION fn_{i}() RETURNS trigger AS $$\nBEGIN\n"
                f"  NEW.amount := coalesce(NEW.amount, 0);\n  RETURN NEW;\nEND\n$$ LANGUAGE plpgsql")
    return out[:n]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--statements", type=int, default=20000)
    p.add_argument("--per-file", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    stmts = statements(a.statements, random.Random(a.seed))
    with open(os.path.join(a.out, "all.sql"), "w") as whole:
        whole.write(";\n\n".join(stmts) + ";\n")
    os.makedirs(os.path.join(a.out, "migrations"), exist_ok=True)
    for f in range(0, len(stmts), a.per_file):
        chunk = stmts[f:f + a.per_file]
        name = os.path.join(a.out, "migrations", f"{f // a.per_file + 1:05d}_step.up.sql")
        with open(name, "w") as out:
            out.write(";\n\n".join(chunk) + ";\n")


if __name__ == "__main__":
    main()
