#!/usr/bin/env bash
# Fails when a C++ file is not formatted with the checked-in .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests -name '*.[ch]pp')
clang-format --dry-run -Werror "${files[@]}"
echo "ci/format-check.sh: ${#files[@]} files formatted"
