#!/usr/bin/env bash
# Benchmark of issue 11's estimates at production size (--with-data with --stats-url): the lock
# hold the round-trip measures on seeded rows, scaled linearly to a table's production rows,
# against the time the same statement really takes on a table of that size. Not a test: figures
# for bench/README.md.
# Usage: bash bench/estimate.sh [PRODUCTION_ROWS] [MIGLINT_BINARY]
#
# "Production" is a second local cluster with the same settings as the round-trip's scratch
# server (fsync off): the comparison is of the scaling, not of the hardware.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
miglint="${2:-$PWD/build/miglint}"
out=$PWD/bench/out/estimate
rm -rf "$out" && mkdir -p "$out/m"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=""
if [ "$(id -u)" -eq 0 ]; then as_pg="runuser -u postgres --"; fi

pgdir=$(mktemp -d)
chmod 755 "$pgdir"
[ -n "$as_pg" ] && chown postgres "$pgdir"
$as_pg "$bin/initdb" -D "$pgdir/data" -U postgres --auth=trust >/dev/null
$as_pg "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -o "-k $pgdir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null
trap '$as_pg "$bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null; rm -rf "$pgdir"' EXIT
psql() { "$bin/psql" -X -q -h "$pgdir" -U postgres -d postgres "$@"; }

table="CREATE TABLE orders (id bigint PRIMARY KEY, account_id int NOT NULL, note text, placed_at timestamptz NOT NULL)"
psql -c "$table" -c "INSERT INTO orders SELECT g, g % 1000 + 1, md5(g::text), now() - g * interval '1 minute' FROM generate_series(1, $rows) g" -c "VACUUM ANALYZE orders"
echo "production: orders with $(psql -Atc "SELECT reltuples::bigint FROM pg_class WHERE relname = 'orders'") rows, $(psql -Atc "SELECT pg_size_pretty(pg_total_relation_size('orders'))")"

# One statement per migration, so that each one's lock hold is its own transaction's.
echo "$table;" > "$out/m/001_orders.up.sql"
echo "DROP TABLE orders;" > "$out/m/001_orders.down.sql"
statements=(
  "ALTER TABLE orders ALTER COLUMN account_id TYPE bigint"
  "CREATE INDEX orders_note ON orders (note)"
  "ALTER TABLE orders ADD CONSTRAINT orders_id CHECK (account_id IS NOT NULL)"
  "CREATE UNIQUE INDEX orders_id_account ON orders (id, account_id)"
)
downs=(
  "ALTER TABLE orders ALTER COLUMN account_id TYPE int"
  "DROP INDEX orders_note"
  "ALTER TABLE orders DROP CONSTRAINT orders_id"
  "DROP INDEX orders_id_account"
)
for i in "${!statements[@]}"; do
  n=$(printf '%03d' $((i + 2)))
  printf "SET lock_timeout = '5s';\n%s;\n" "${statements[$i]}" > "$out/m/${n}_s.up.sql"
  echo "${downs[$i]};" > "$out/m/${n}_s.down.sql"
done

# The real time of each statement on the production table (rolled back), three times.
for i in "${!statements[@]}"; do
  psql -c '\timing on' -c "BEGIN" -c "${statements[$i]}" -c "ROLLBACK" \
    -c "BEGIN" -c "${statements[$i]}" -c "ROLLBACK" -c "BEGIN" -c "${statements[$i]}" -c "ROLLBACK" |
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk 'NR % 3 == 2' | tr '\n' ' ' > "$out/real-$((i + 2))"
done

# The estimates, from 300 and from 10,000 seeded rows, three runs each.
for seeded in 300 10000; do
  for run in 1 2 3; do
    MIGLINT_STATS_URL="postgresql:///postgres?host=$pgdir&user=postgres" \
      "$miglint" check --with-data="$seeded" --format json --fail-on never "$out/m" \
      > "$out/run-$seeded-$run.json" 2>/dev/null
  done
done
printf '%s\n' "${statements[@]}" > "$out/statements"
/usr/bin/python3 - "$out" "$rows" <<'PY'
import glob, json, statistics, sys
out, rows = sys.argv[1], int(sys.argv[2])
statements = open(f"{out}/statements").read().splitlines()
print(f"| statement | real at {rows:,} rows (median of 3) | from 300 rows: held -> estimate | "
      "from 10,000 rows: held -> estimate |")
print("|---|---|---|---|")
for i, sql in enumerate(statements):
    migration = f"{i + 2:03d}"
    real = statistics.median(float(t) for t in open(f"{out}/real-{i + 2}").read().split())
    cells = []
    for seeded in (300, 10000):
        held, est = [], []
        for path in sorted(glob.glob(f"{out}/run-{seeded}-*.json")):
            for f in json.load(open(path))["findings"]:
                o = f.get("observed") or {}
                e = o.get("estimate")
                if f["migration"] == migration and e and "none" not in e:
                    held.append(o["held_ms"])
                    est.append(e["held_ms"])
                    break
        if not est:
            cells.append("no estimate")
            continue
        m = statistics.median(est)
        cells.append(f"{statistics.median(held):.1f} ms -> {m / 1000:.2f} s ({m / real:.1f}x; "
                     f"{min(est) / real:.1f}-{max(est) / real:.1f}x)")
    print(f"| `{sql}` | {real / 1000:.2f} s | {cells[0]} | {cells[1]} |")
PY
uptime
