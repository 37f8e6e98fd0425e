#!/usr/bin/env bash
# The whole test suite on a fresh machine: install dependencies, build, check formatting, run
# every test through CTest; then the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (ci/sanitize.sh, build-asan/) and each fuzz target for a bounded time (ci/fuzz.sh, whose
# closing line "fuzz: N passed, N failed" ends the output). MIGLINT_SANITIZE=0 skips both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
bash ci/format-check.sh
ctest --test-dir "${MIGLINT_BUILD_DIR:-build}" --output-on-failure --parallel "$(nproc)"
if [ "${MIGLINT_SANITIZE:-1}" != "0" ]; then
  bash ci/sanitize.sh
  bash ci/fuzz.sh
fi
