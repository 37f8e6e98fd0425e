#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz/ for a bounded time and fails on the first crash,
# hang (an input slower than the per-input timeout), leak or memory blow-up, printing each
# reproducer (base64 and hex of the input) and the sanitizer's report with its stack.
# Needs a build with -DMIGLINT_FUZZ=ON (ci/sanitize.sh makes one in build-asan/).
#
# Environment:
#   MIGLINT_FUZZ_BUILD_DIR  the build directory (build-asan)
#   MIGLINT_FUZZ_SECONDS    how long each target runs (60)
#   MIGLINT_FUZZ_TARGETS    which targets (python sql config ini)
#   MIGLINT_FUZZ_JOBS       how many targets run at once (the number of cores)
#   MIGLINT_FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (60; the
#                           slowest inputs seen, loops cut at 10000 iterations, take ~3 s)
#   MIGLINT_FUZZ_CORPUS     where the inputs found are kept between runs
#                           ($MIGLINT_FUZZ_BUILD_DIR/fuzz-corpus)
#   MIGLINT_FUZZ_SEEDS_EXTRA  more seed directories, `:`-separated, for local runs
#   MIGLINT_FUZZ_OUT        logs and reproducers ($MIGLINT_FUZZ_BUILD_DIR/fuzz-out)
#
# To reproduce a crash: <build>/tests/fuzz/<target>_fuzz <file>, or decode the base64 printed
# here into a file first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="${MIGLINT_FUZZ_BUILD_DIR:-build-asan}"
seconds="${MIGLINT_FUZZ_SECONDS:-60}"
read -r -a targets <<<"${MIGLINT_FUZZ_TARGETS:-python sql config ini}"
jobs="${MIGLINT_FUZZ_JOBS:-$(nproc)}"
timeout="${MIGLINT_FUZZ_TIMEOUT:-60}"
corpus="${MIGLINT_FUZZ_CORPUS:-$build/fuzz-corpus}"
out="${MIGLINT_FUZZ_OUT:-$build/fuzz-out}"

# Sanitizer reports symbolized, leaks checked, UB fatal (the build already makes it so).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/ci/lsan.supp:print_suppressions=0}"
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer >/dev/null; then
  export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer)"
fi

rm -rf "$out"
mkdir -p "$out"
# The targets that read files write them under TMPDIR: a private one, removed at the end.
export TMPDIR="$out/tmp"
mkdir -p "$TMPDIR"

run_target() {
  local name="$1"
  local bin="$build/tests/fuzz/${name}_fuzz"
  local seeds=("$build/tests/fuzz/seeds/$name")
  local extra
  IFS=: read -r -a extra <<<"${MIGLINT_FUZZ_SEEDS_EXTRA:-}"
  for dir in "${extra[@]}"; do
    [ -z "$dir" ] || seeds+=("$dir")
  done
  mkdir -p "$corpus/$name" "$out/$name"
  # New inputs go to the first directory (the kept corpus); the seeds are only read.
  "$bin" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2560 -max_len=16384 \
    -dict="$root/tests/fuzz/$name.dict" -artifact_prefix="$out/$name/" -print_final_stats=1 \
    "$corpus/$name" "${seeds[@]}" >"$out/$name.log" 2>&1
}

report() {
  local name="$1" status="$2"
  local log="$out/$name.log"
  local stats
  stats=$(grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log" |
    sed 's/^stat:://' | tr -s ' \n' ' ' || true)
  echo "fuzz: $name exit $status, $stats"
  if [ "$status" -eq 0 ]; then
    return
  fi
  echo "fuzz: $name FAILED (exit $status); the report:"
  # The sanitizer's or libFuzzer's report: from its first line to the end of the log.
  local first
  first=$(grep -n -m1 -E '^(==[0-9]+==|.*runtime error:|ERROR: libFuzzer|==[0-9]+== ERROR)' "$log" |
    cut -d: -f1 || true)
  tail -n +"${first:-1}" "$log" | head -n 200
  local found=0
  for artifact in "$out/$name"/crash-* "$out/$name"/timeout-* "$out/$name"/leak-* \
    "$out/$name"/oom-* "$out/$name"/slow-unit-*; do
    [ -e "$artifact" ] || continue
    found=1
    echo "fuzz: reproducer $artifact ($(stat -c %s "$artifact") bytes)"
    echo "  base64: $(base64 -w0 "$artifact")"
    echo "  hex:"
    od -An -tx1 -v "$artifact" | head -n 64
    echo "  reproduce: $build/tests/fuzz/${name}_fuzz $artifact"
  done
  [ "$found" -eq 1 ] || echo "fuzz: no reproducer file was written (see the log above)"
}

declare -A pid_of=()
declare -A status_of=()
for name in "${targets[@]}"; do
  if [ ! -x "$build/tests/fuzz/${name}_fuzz" ]; then
    echo "ci/fuzz.sh: $build/tests/fuzz/${name}_fuzz is missing (build with -DMIGLINT_FUZZ=ON)" >&2
    exit 2
  fi
done
echo "ci/fuzz.sh: ${targets[*]} for ${seconds}s each, $jobs at a time"
for name in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
  done
  run_target "$name" &
  pid_of[$name]=$!
done
for name in "${targets[@]}"; do
  status=0
  wait "${pid_of[$name]}" || status=$?
  status_of[$name]=$status
done

passed=0
failed=0
for name in "${targets[@]}"; do
  report "$name" "${status_of[$name]}"
  if [ "${status_of[$name]}" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
rm -rf "$TMPDIR"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
