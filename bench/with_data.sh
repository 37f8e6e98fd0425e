#!/usr/bin/env bash
# Benchmark of issue 11 (--with-data): the 100-revision Alembic round-trip with generated rows
# (default 300 per table) against the same round-trip on empty tables, and seeding throughput at
# 10,000 rows per table. Not a test: figures for bench/README.md.
# Usage: bash bench/with_data.sh [ALEMBIC_REVISIONS] [ROWS_PER_TABLE]
set -euo pipefail
cd "$(dirname "$0")/.."
n_alembic="${1:-100}"
rows="${2:-10000}"
out=$PWD/bench/out
mkdir -p "$out"
bash ci/setup.sh >/dev/null
MIGLINT_BUILD_TYPE=Release MIGLINT_BUILD_DIR=build-release bash ci/build.sh >/dev/null
miglint=$PWD/build-release/miglint

one_ms() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  python3 -c "print(round(($t1 - $t0) * 1000))"
}
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }

# --- the 100-revision Alembic history, with and without data -------------------------------------
rm -rf "$out/alembic-data" && python3 bench/gen_alembic.py "$out/alembic-data" --revisions "$n_alembic"
plain() { "$miglint" check --round-trip --format json --fail-on never "$out/alembic-data" > "$out/plain.json" 2>/dev/null; }
data() { "$miglint" check --with-data --format json --fail-on never "$out/alembic-data" > "$out/data.json" 2> "$out/data.err"; }
plain # warm the server template and the interpreter's caches
p_times=()
d_times=()
for _ in 1 2 3 4 5; do
  p_times+=("$(one_ms plain)")
  d_times+=("$(one_ms data)")
done
p=$(median5 "${p_times[@]}")
d=$(median5 "${d_times[@]}")
echo "runs (ms): empty tables ${p_times[*]}; with data ${d_times[*]}"
echo "Alembic history, $n_alembic revisions: round-trip ${p} ms on empty tables, ${d} ms with data"
python3 -c "print(f'with data / without: {$d / $p:.2f}x')"
grep 'seeded' "$out/data.err" || true
python3 - "$out/data.json" <<'PY'
import collections, json, sys
rules = collections.Counter(f["rule"] for f in json.load(open(sys.argv[1]))["findings"]
                            if f["rule"].startswith(("roundtrip", "data-loss")))
print("round-trip findings with data:", dict(rules))
PY

# --- seeding throughput ---------------------------------------------------------------------------
# Eight tables of the usual kinds (keys, foreign keys, enums, CHECKs, text, jsonb, arrays,
# timestamps, a composite unique key), then one migration: the rows are seeded before it.
rm -rf "$out/seed" && mkdir -p "$out/seed"
cat > "$out/seed/001_schema.up.sql" <<'SQL'
CREATE TYPE state AS ENUM ('new', 'paid', 'shipped', 'cancelled');
CREATE TABLE accounts (id bigserial PRIMARY KEY, email varchar(200) NOT NULL UNIQUE,
  name text, created_at timestamptz NOT NULL DEFAULT now(), flags jsonb);
CREATE TABLE products (id serial PRIMARY KEY, sku varchar(20) NOT NULL UNIQUE,
  title text NOT NULL, price numeric(10,2) NOT NULL CHECK (price > 0), tags text[]);
CREATE TABLE orders (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts,
  state state NOT NULL DEFAULT 'new', placed_at timestamp NOT NULL, note text);
CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders, product_id int NOT NULL
  REFERENCES products, quantity int NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  PRIMARY KEY (order_id, product_id));
CREATE TABLE addresses (id serial PRIMARY KEY, account_id bigint REFERENCES accounts,
  street varchar(120), zip char(5), country char(2) NOT NULL CHECK (country IN ('US', 'DE', 'FR')));
CREATE TABLE payments (id uuid PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders,
  amount numeric(12,2) NOT NULL, paid_on date NOT NULL);
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id bigint
  REFERENCES accounts, kind text NOT NULL, payload jsonb NOT NULL, at timestamptz NOT NULL);
CREATE TABLE reviews (account_id bigint NOT NULL REFERENCES accounts, product_id int NOT NULL
  REFERENCES products, stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5), body text,
  UNIQUE (account_id, product_id));
SQL
echo "DROP TABLE reviews, events, payments, addresses, order_items, orders, products, accounts; DROP TYPE state;" > "$out/seed/001_schema.down.sql"
echo "CREATE INDEX accounts_name ON accounts (name);" > "$out/seed/002_index.up.sql"
echo "DROP INDEX accounts_name;" > "$out/seed/002_index.down.sql"
for _ in 1 2 3; do
  "$miglint" check --with-data="$rows" --format json --fail-on never "$out/seed" 2>&1 >/dev/null | grep seeded
done
