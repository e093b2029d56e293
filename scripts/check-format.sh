#!/usr/bin/env bash
# check-format.sh [--fix] — checks (or, with --fix, applies) .clang-format on every tracked C++
# source with clang-format-22 (Debian's clang-format-22, installed by install-deps.sh). CTest
# runs the check as the test `format_check`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FORMAT=${CLANG_FORMAT:-clang-format-22}
command -v "$FORMAT" > /dev/null || { echo "check-format.sh: $FORMAT not found" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  "$FORMAT" -i "${files[@]}"
else
  "$FORMAT" --dry-run --Werror "${files[@]}"
  echo "check-format.sh: ${#files[@]} files formatted as .clang-format says"
fi
