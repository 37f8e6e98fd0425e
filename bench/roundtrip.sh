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

# The wall time of one run of a command, in ms.
one_ms() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  python3 -c "print(round(($t1 - $t0) * 1000))"
}

# The median of five numbers (this machine class is noisy: one run varies by a fifth or more,
# so every measure is taken five times, taking turns with what it is compared with).
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }

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
sql_run() { "$miglint" check --round-trip --format json --fail-on never "$out/sql" > "$out/sql.json" 2>/dev/null; }

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
# Each psql run starts from an empty database, as miglint's does. psql and miglint (on the same
# server, and with its own) take turns, five times each, so that the machine's noise falls on
# all alike; medians.
psql_run() { psql -h "$pgdir" -U postgres -q -v ON_ERROR_STOP=0 -f "$script" postgres >/dev/null 2>&1; }
psql_clean() {
  psql -h "$pgdir" -U postgres -q -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public" postgres >/dev/null 2>&1
}
# The like-for-like comparison: miglint on the same running server (a scratch database in it).
url_run() {
  "$miglint" check --round-trip --postgres url --database-url "postgresql://postgres@/postgres?host=$pgdir" \
    --format json --fail-on never "$out/sql" > "$out/sql-url.json" 2>/dev/null
}
p_times=()
u_times=()
m_times=()
for _ in 1 2 3 4 5; do
  psql_clean
  p_times+=("$(one_ms psql_run)")
  u_times+=("$(one_ms url_run)")
  m_times+=("$(one_ms sql_run)")
done
p_sql=$(median5 "${p_times[@]}")
u_sql=$(median5 "${u_times[@]}")
m_sql=$(median5 "${m_times[@]}")
echo "runs (ms): psql ${p_times[*]}; miglint on the same server ${u_times[*]}; miglint with its own ${m_times[*]}"
echo "SQL history, $n_sql migrations: miglint round-trip ${m_sql} ms (own server started, snapshots and lock observation included), ${u_sql} ms on the running server; psql up/down/up ${p_sql} ms"
python3 -c "print(f'miglint / psql: {$m_sql / $p_sql:.2f}x with its server start, {$u_sql / $p_sql:.2f}x on the same running server')"

# --- Alembic history ------------------------------------------------------------------------------
rm -rf "$out/alembic-rt" && python3 bench/gen_alembic.py "$out/alembic-rt" --revisions "$n_alembic"
alembic_run() {
  "$miglint" check --round-trip --format json --fail-on never "$out/alembic-rt" > "$out/alembic-rt.json" 2> "$out/alembic-rt.err"
}
# The command-only check of the same history (bench/alembic_steps.py, what pytest-alembic's
# test_up_down_consistency does) on the running server, a fresh database each time; the time
# of its steps (its interpreter's start-up not included), taking turns with miglint.
steps_clean() {
  psql -h "$pgdir" -U postgres -q -c "DROP DATABASE IF EXISTS steps" -c "CREATE DATABASE steps" postgres >/dev/null 2>&1
}
steps_run() {
  (cd "$out/alembic-rt" && /usr/bin/python3 "$OLDPWD/bench/alembic_steps.py" alembic.ini \
    "postgresql://postgres@/steps?host=$pgdir" 2>/dev/null)
}
a_times=()
s_times=()
for _ in 1 2 3 4 5; do
  a_times+=("$(one_ms alembic_run)")
  steps_clean
  s_times+=("$(python3 -c "print(round($(steps_run) * 1000))")")
done
m_alembic=$(median5 "${a_times[@]}")
s_alembic=$(median5 "${s_times[@]}")
$as_pg "$bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null
rm -rf "$pgdir"
echo "runs (ms): miglint ${a_times[*]}; command-only steps ${s_times[*]}"
echo "Alembic history, $n_alembic revisions: miglint round-trip ${m_alembic} ms (warm server start, Alembic driver, snapshots and lock observation); command-only steps ${s_alembic} ms"
python3 -c "print(f'miglint / command-only steps: {$m_alembic / $s_alembic:.2f}x')"
python3 - "$out/sql.json" "$out/alembic-rt.json" <<'PY'
import collections, json, sys
for path in sys.argv[1:]:
    rules = collections.Counter(f["rule"] for f in json.load(open(path))["findings"]
                                if f["rule"].startswith(("roundtrip", "downgrade", "upgrade")))
    print(path.rsplit("/", 1)[-1], dict(rules))
PY
