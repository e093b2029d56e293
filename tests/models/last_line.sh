#!/bin/sh
# last_line.sh COMMAND [ARGS...]
# Runs a model program; passes its output through and, when it exits with status 0, ends with
# "last line: <its last line>" so that CTest's PASS_REGULAR_EXPRESSION can check the final
# metrics (PASS_REGULAR_EXPRESSION alone would ignore the exit status).
set -u
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: '$*' exited with status $rc"
  exit 1
fi
echo "last line: $(printf '%s\n' "$out" | tail -n 1)"
