#!/usr/bin/env bash
# Benchmark of issue 2: miglint on a generated 20,000-statement corpus against libpg_query's bare
# parse of the same text and against squawk (npm squawk-cli). Not a test: it prints figures to
# record in bench/README.md. Usage: bash bench/run.sh [STATEMENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20000}"
out=bench/out
mkdir -p "$out"

bash ci/setup.sh >/dev/null
MIGLINT_BUILD_TYPE=Release MIGLINT_BUILD_DIR=build-release bash ci/build.sh >/dev/null
miglint=build-release/miglint

python3 bench/gen_corpus.py "$out/corpus" --statements "$n"
g++ -O2 -std=c++20 bench/bare_parse.cpp -lpg_query -o "$out/bare_parse"
if [ ! -x "$out/node_modules/.bin/squawk" ]; then
  (cd "$out" && npm install --silent --no-audit --no-fund squawk-cli@2.66.0 >/dev/null)
fi
squawk="$out/node_modules/.bin/squawk"

# median wall time in ms of a command over 5 runs
median() {
  python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
ts = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(ts):.0f}")
PY
}

read -r bare_json bare_pb < <("$out/bare_parse" --warm "$out/corpus/all.sql" 5)
b_dir=$(median "$out/bare_parse" "$out/corpus/migrations/"*.sql)
b_file=$(median "$out/bare_parse" "$out/corpus/all.sql")
m_dir=$(median "$miglint" check --format json --fail-on never "$out/corpus/migrations")
m_file=$(median "$miglint" check --format json --fail-on never "$out/corpus/all.sql")
s_dir=$(median "$squawk" --reporter json "$out/corpus/migrations/"*.sql)
s_file=$(median "$squawk" --reporter json "$out/corpus/all.sql")
findings=$("$miglint" check --format json --fail-on never "$out/corpus/migrations" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))')

echo "statements: $n ($(wc -c < "$out/corpus/all.sql") bytes), miglint findings: $findings"
echo "libpg_query bare parse in-process (warm), one text: pg_query_parse ${bare_json} ms, pg_query_parse_protobuf ${bare_pb} ms"
echo "libpg_query bare parse as a whole process: $(ls "$out/corpus/migrations" | wc -l) files ${b_dir} ms; one file ${b_file} ms"
echo "miglint check --format json, $(ls "$out/corpus/migrations" | wc -l) files: ${m_dir} ms; one file: ${m_file} ms"
echo "squawk --reporter json, same files: ${s_dir} ms; one file: ${s_file} ms"
python3 - "$b_file" "$b_dir" "$m_file" "$m_dir" "$s_file" "$s_dir" <<'PY'
import sys
b_file, b_dir, m_file, m_dir, s_file, s_dir = map(float, sys.argv[1:])
print(f"miglint / bare parse process: one file {m_file / b_file:.2f}x, files {m_dir / b_dir:.2f}x")
print(f"squawk / miglint: one file {s_file / m_file:.1f}x, files {s_dir / m_dir:.1f}x")
PY
