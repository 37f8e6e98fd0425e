#!/usr/bin/env bash
# The whole test suite under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer:
# clang builds everything of miglint's own (the library, the binary, the tests and the fuzz
# targets ci/fuzz.sh runs) into build-asan/ (or $MIGLINT_ASAN_BUILD_DIR); any report fails the
# test that caused it. The PostgreSQL servers and Python interpreters the tests start are the
# system's own and are not instrumented; the options below only reach miglint's processes.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${MIGLINT_ASAN_BUILD_DIR:-build-asan}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DMIGLINT_SANITIZE=ON -DMIGLINT_FUZZ=ON >/dev/null
cmake --build "$build" --parallel "$(nproc)"

# Leaks are checked at the exit of every instrumented process (the tests, and each miglint the
# tests run); a child that leaves with _exit after fork (a failed exec) is not checked. Reports go
# to files, so that one from a miglint whose output or exit code a test does not look at still
# fails the run; the exit code 86 is none of miglint's own (0-3), so a test that checks it fails.
reports="$(pwd)/$build/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1:exitcode=86:log_path=$reports/asan}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$reports/ubsan}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$(pwd)/ci/lsan.supp:print_suppressions=0}"
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer >/dev/null; then
  export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer)"
fi
status=0
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" || status=$?
found=$(find "$reports" -type f | sort)
if [ -n "$found" ]; then
  for report in $found; do
    echo "ci/sanitize.sh: sanitizer report $report:"
    cat "$report"
  done
  echo "ci/sanitize.sh: $(echo "$found" | wc -l) sanitizer report(s), see above" >&2
  exit 1
fi
exit "$status"
