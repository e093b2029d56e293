#!/bin/sh
# expect.sh RC REGEX COMMAND [ARGS...]
# Runs COMMAND and passes when it exits with status RC and its output (stdout and stderr
# together) matches the extended regular expression REGEX. Prints the output either way.
set -u
if [ $# -lt 3 ]; then
  echo "usage: expect.sh RC REGEX COMMAND [ARGS...]" >&2
  exit 2
fi
want_rc=$1
regex=$2
shift 2
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne "$want_rc" ]; then
  echo "FAIL: '$*' exited with status $rc, expected $want_rc" >&2
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  echo "FAIL: the output of '$*' does not match /$regex/" >&2
  exit 1
fi
echo "ok: status $rc, output matches /$regex/"
