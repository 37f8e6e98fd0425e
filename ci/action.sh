#!/usr/bin/env bash
# The shell steps of the GitHub Action (action.yml), kept here so that the tests run them as
# the runner does. Inputs arrive as environment variables, never pasted into the script.
#
#   ci/action.sh key     cache key of the build: the runner's OS and arch and a hash of the
#                        action's own sources (hashFiles() cannot see $GITHUB_ACTION_PATH)
#   ci/action.sh deps    the Debian/Ubuntu packages the build needs (and a PostgreSQL server)
#   ci/action.sh build   the miglint binary, into $RUNNER_TEMP/miglint-build
#   ci/action.sh run     miglint check: annotations on stdout, SARIF to $MIGLINT_SARIF_FILE, the
#                        job summary to $GITHUB_STEP_SUMMARY, outputs to $GITHUB_OUTPUT; exits
#                        with miglint's code (1 when findings reach fail-on)
#
# Inputs of `run`: MIGLINT_PATHS (whitespace-separated), MIGLINT_ROUND_TRIP (true/false),
# MIGLINT_WITH_DATA (true/false/ROWS), MIGLINT_DATABASE_URL, MIGLINT_PG_VERSION, MIGLINT_FAIL_ON,
# MIGLINT_CONFIG, MIGLINT_DIFF_BASE, MIGLINT_SARIF_FILE, MIGLINT_PYTHON, and MIGLINT_STATS_URL
# (a secret: miglint reads it from its environment; it never goes on the command line).
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
build_dir="${RUNNER_TEMP:-/tmp}/miglint-build"
output="${GITHUB_OUTPUT:-/dev/null}"

key() {
  local hash
  hash=$(cd "$action_path" &&
    find CMakeLists.txt cmake src rules ci/setup.sh -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-16)
  echo "key=miglint-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$hash" >>"$output"
  echo "build cache key: miglint-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$hash"
}

deps() {
  if ! command -v apt-get >/dev/null; then
    echo "::error title=miglint::the miglint action needs a Debian or Ubuntu runner (apt-get)"
    exit 2
  fi
  bash "$action_path/ci/setup.sh" action
}

build() {
  cmake -S "$action_path" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMIGLINT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)"
}

# A shallow checkout (actions/checkout's default) lacks the history --diff-base needs: fetch
# the base commit and deepen until the merge base is there.
fetch_base() {
  local base="$1"
  if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    git fetch --quiet --no-tags origin "$base" || true
  fi
  local depth=50
  while [ "$(git rev-parse --is-shallow-repository)" = "true" ] &&
    ! git merge-base "$base" HEAD >/dev/null 2>&1 && [ "$depth" -le 3200 ]; do
    git fetch --quiet --no-tags --deepen="$depth" origin "$base" || break
    depth=$((depth * 2))
  done
}

run() {
  local bin="${MIGLINT_BIN:-$build_dir/miglint}"
  local sarif="${MIGLINT_SARIF_FILE:-miglint.sarif}"
  local args=(check --format github --sarif-output "$sarif")
  case "${MIGLINT_ROUND_TRIP:-false}" in
    true) args+=(--round-trip) ;;
    false) ;;
    *) echo "::error title=miglint::round-trip must be true or false, not ${MIGLINT_ROUND_TRIP}"; exit 2 ;;
  esac
  case "${MIGLINT_WITH_DATA:-}" in
    "" | false) ;;
    true) args+=(--with-data) ;;
    *[!0-9]*) echo "::error title=miglint::with-data must be true, false or a number of rows, not ${MIGLINT_WITH_DATA}"; exit 2 ;;
    *) args+=("--with-data=$MIGLINT_WITH_DATA") ;;
  esac
  # The statistics URL holds a password: miglint reads MIGLINT_STATS_URL itself (--stats-url's
  # environment variable), so it stays out of the command line, which other processes can read.
  if [ -z "${MIGLINT_STATS_URL:-}" ]; then
    unset MIGLINT_STATS_URL
  fi
  if [ -n "${MIGLINT_DATABASE_URL:-}" ]; then
    args+=(--postgres url --database-url "$MIGLINT_DATABASE_URL")
  fi
  [ -z "${MIGLINT_PG_VERSION:-}" ] || args+=(--pg-version "$MIGLINT_PG_VERSION")
  [ -z "${MIGLINT_FAIL_ON:-}" ] || args+=(--fail-on "$MIGLINT_FAIL_ON")
  [ -z "${MIGLINT_CONFIG:-}" ] || args+=(--config "$MIGLINT_CONFIG")
  [ -z "${MIGLINT_PYTHON:-}" ] || args+=(--python "$MIGLINT_PYTHON")
  if [ -n "${MIGLINT_DIFF_BASE:-}" ]; then
    fetch_base "$MIGLINT_DIFF_BASE"
    args+=(--diff-base "$MIGLINT_DIFF_BASE")
  fi
  local paths=()
  read -r -a paths <<<"${MIGLINT_PATHS:-}"
  args+=("${paths[@]}")
  echo "sarif-file=$sarif" >>"$output"

  local status=0
  "$bin" "${args[@]}" || status=$?
  local findings=0
  if [ -s "$sarif" ]; then
    findings=$(grep -o '"ruleId":' "$sarif" | wc -l)
  fi
  echo "findings=$findings" >>"$output"
  echo "exit-code=$status" >>"$output"
  return "$status"
}

case "${1:-}" in
  key | deps | build | run) "$1" ;;
  *) echo "usage: ci/action.sh key|deps|build|run" >&2; exit 2 ;;
esac
