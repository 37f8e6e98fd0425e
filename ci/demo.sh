#!/usr/bin/env bash
# The demo: install dependencies, build, and check the example project in migrations/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
echo
echo "\$ miglint check --round-trip migrations/"
status=0
"${MIGLINT_BUILD_DIR:-build}/miglint" check --round-trip migrations/ || status=$?
echo
case "$status" in
  0) echo "miglint exited 0: nothing at or above --fail-on (error)." ;;
  1) echo "miglint exited 1: findings at or above --fail-on (error); CI would fail here." ;;
  *) echo "miglint exited $status: usage or environment error."; exit "$status" ;;
esac
