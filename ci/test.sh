#!/usr/bin/env bash
# The whole test suite on a fresh machine: install dependencies, build, check formatting, run
# every test through CTest (which prints the summary CI reads).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
bash ci/format-check.sh
ctest --test-dir "${MIGLINT_BUILD_DIR:-build}" --output-on-failure --parallel "$(nproc)"
