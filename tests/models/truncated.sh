#!/bin/sh
# truncated.sh SINTER_COMPILE MODEL.sinter WORKDIR
# The first half of a real model file: sinter-compile exits 1 with a message naming the file
# and saying what is wrong, never a crash.
set -u
compile=$1 model=$2 work=$3
mkdir -p "$work" || exit 1
bad="$work/truncated.sinter"
size=$(wc -c < "$model") || exit 1
head -c $((size / 2)) "$model" > "$bad" || exit 1
out=$("$compile" "$bad" --emit=mlir 2>&1)
rc=$?
printf '%s\n' "$out" | head -n 20
[ "$rc" -eq 1 ] || { echo "FAIL: exit status $rc, expected 1"; exit 1; }
printf '%s\n' "$out" | grep -q "truncated.sinter" || { echo "FAIL: the message does not name the file"; exit 1; }
printf '%s\n' "$out" | grep -Eqi "corrupt|truncated protobuf|not a sinter model" || {
  echo "FAIL: the message does not say what is wrong"; exit 1; }
echo "ok"
