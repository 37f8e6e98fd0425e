#!/usr/bin/env bash
# Benchmark of issue 3: `miglint check` on a generated Alembic history of N revisions, against
# the pipeline Alembic users run today, `alembic upgrade base:head --sql | squawk --reporter
# json`. Not a test: it prints figures to record in bench/README.md.
# Usage: bash bench/alembic.sh [REVISIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
out=bench/out
mkdir -p "$out"
bash ci/setup.sh >/dev/null
MIGLINT_BUILD_TYPE=Release MIGLINT_BUILD_DIR=build-release bash ci/build.sh >/dev/null
miglint=$PWD/build-release/miglint
if [ ! -x "$out/node_modules/.bin/squawk" ]; then
  (cd "$out" && npm install --silent --no-audit --no-fund squawk-cli@2.66.0 >/dev/null)
fi
squawk=$PWD/$out/node_modules/.bin/squawk
rm -rf "$out/alembic"
python3 bench/gen_alembic.py "$out/alembic" --revisions "$n"
project=$PWD/$out/alembic

median() {
  python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
ts = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(["bash", "-c", sys.argv[1]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(ts):.0f}")
PY
}

m=$(median "'$miglint' check --format json --fail-on never '$project'")
a=$(median "cd '$project' && /usr/bin/python3 -m alembic upgrade base:head --sql")
p=$(median "cd '$project' && /usr/bin/python3 -m alembic upgrade base:head --sql 2>/dev/null | '$squawk' --reporter json")
findings=$("$miglint" check --format json --fail-on never "$project" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))')
echo "revisions: $n, miglint findings: $findings"
echo "miglint check --format json: ${m} ms"
echo "alembic upgrade base:head --sql alone: ${a} ms"
echo "alembic upgrade base:head --sql | squawk --reporter json: ${p} ms"
python3 -c "import sys; print(f'pipeline / miglint: {float(sys.argv[1]) / float(sys.argv[2]):.1f}x')" "$p" "$m"
