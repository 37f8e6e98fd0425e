#!/usr/bin/env bash
# Benchmark of issue 4: time to a ready server (cold and warm), and the round-trip of a generated
# 300-migration SQL history against executing the same up/down/up files in one psql session, and
# of a generated 100-revision Alembic history. Not a test: figures for bench/README.md.
# Usage: bash bench/roundtrip.sh [SQL_MIGRATIONS] [ALEMBIC_REVISIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
n_sql="${1:-300}"
n_alembic="${2:-100}"
out=$PWD/bench/out
mkdir -p "$out"
bash ci/setup.sh >/dev/null
MIGLINT_BUILD_TYPE=Release MIGLINT_BUILD_DIR=build-release bash ci/build.sh >/dev/null
miglint=$PWD/build-release/miglint
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=""
if [ "$(id -u)" -eq 0 ]; then as_pg="runuser -u postgres --"; fi

# --- time to a ready server --------------------------------------------------------------------
rm -rf "$out/one" && mkdir -p "$out/one"
echo "SELECT 1;" > "$out/one/0001_x.up.sql"
echo "SELECT 1;" > "$out/one/0001_x.down.sql"
cold_cache=$(mktemp -d)
cold=$(XDG_CACHE_HOME=$cold_cache "$miglint" check --round-trip "$out/one" 2>&1 >/dev/null |
  sed -n 's/.*cold start \([0-9.]*\) s.*/\1/p')
warm=$(XDG_CACHE_HOME=$cold_cache "$miglint" check --round-trip "$out/one" 2>&1 >/dev/null |
  sed -n 's/.*warm start \([0-9.]*\) s.*/\1/p')
rm -rf "$cold_cache"
echo "server ready: cold ${cold} s (initdb + copy + start), warm ${warm} s (copy + start)"

# --- SQL history ---------------------------------------------------------------------------------
rm -rf "$out/sql" && python3 bench/gen_sql_history.py "$out/sql" --migrations "$n_sql"
"$miglint" check --round-trip --fail-on never "$out/sql" >/dev/null 2>&1 # warm the template
t0=$(date +%s.%N)
"$miglint" check --round-trip --format json --fail-on never "$out/sql" > "$out/sql.json" 2>/dev/null
t1=$(date +%s.%N)
m_sql=$(python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')")

# The same work done by hand: every file up, down, up, in one psql session on a running server.
pgdir=$(mktemp -d)
chmod 755 "$pgdir"
[ -n "$as_pg" ] && chown postgres "$pgdir"
$as_pg "$bin/initdb" -D "$pgdir/data" -U postgres --auth=trust >/dev/null
$as_pg "$bin/pg_ctl" -D "$pgdir/data" -o "-k $pgdir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null
script="$out/sql.psql"
: > "$script"
for up in "$out"/sql/*.up.sql; do
  down="${up%.up.sql}.down.sql"
  printf 'BEGIN;\n\\i %s\nCOMMIT;\nBEGIN;\n\\i %s\nCOMMIT;\nBEGIN;\n\\i %s\nCOMMIT;\n' "$up" "$down" "$up" >> "$script"
done
t0=$(date +%s.%N)
psql -h "$pgdir" -U postgres -q -v ON_ERROR_STOP=0 -f "$script" postgres >/dev/null 2>&1
t1=$(date +%s.%N)
p_sql=$(python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')")
# The like-for-like comparison: miglint on the same running server (a scratch database in it).
t0=$(date +%s.%N)
"$miglint" check --round-trip --postgres url --database-url "postgresql://postgres@/postgres?host=$pgdir" \
  --format json --fail-on never "$out/sql" > "$out/sql-url.json" 2>/dev/null
t1=$(date +%s.%N)
u_sql=$(python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')")
$as_pg "$bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null
rm -rf "$pgdir"
echo "SQL history, $n_sql migrations: miglint round-trip ${m_sql} ms (own server started, snapshots and lock observation included), ${u_sql} ms on the running server; psql up/down/up ${p_sql} ms"
python3 -c "print(f'miglint / psql: {$m_sql / $p_sql:.2f}x with its server start, {$u_sql / $p_sql:.2f}x on the same running server')"

# --- Alembic history ------------------------------------------------------------------------------
rm -rf "$out/alembic-rt" && python3 bench/gen_alembic.py "$out/alembic-rt" --revisions "$n_alembic"
t0=$(date +%s.%N)
"$miglint" check --round-trip --format json --fail-on never "$out/alembic-rt" > "$out/alembic-rt.json" 2> "$out/alembic-rt.err"
t1=$(date +%s.%N)
m_alembic=$(python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')")
echo "Alembic history, $n_alembic revisions: miglint round-trip ${m_alembic} ms (warm server, Alembic driver, snapshots and lock observation)"
python3 - "$out/sql.json" "$out/alembic-rt.json" <<'PY'
import collections, json, sys
for path in sys.argv[1:]:
    rules = collections.Counter(f["rule"] for f in json.load(open(path))["findings"]
                                if f["rule"].startswith(("roundtrip", "downgrade", "upgrade")))
    print(path.rsplit("/", 1)[-1], dict(rules))
PY
