#!/usr/bin/env bash
# Configures and builds miglint and its tests into build/ (or $MIGLINT_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${MIGLINT_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${MIGLINT_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
