#!/bin/sh
# full_disk.sh SINTER_COMPILE MODEL.sinter WORKDIR
# A text output (--emit=mlir -o FILE) that cannot be written whole — a file size limit stands
# in for a full disk — is an error (exit 1, naming the file), and the previous FILE is intact.
set -u
compile=$1 model=$2 work=$3
mkdir -p "$work" || exit 1
out_file="$work/model.mlir"
printf 'previous output\n' > "$out_file" || exit 1
# Ignored SIGXFSZ stays ignored across exec: the write fails with EFBIG instead of a kill.
out=$(sh -c "trap '' XFSZ; ulimit -f 2; exec \"$compile\" \"$model\" --emit=mlir -o \"$out_file\"" 2>&1)
rc=$?
printf '%s\n' "$out" | head -n 5
[ "$rc" -eq 1 ] || { echo "FAIL: exit status $rc, expected 1"; exit 1; }
printf '%s\n' "$out" | grep -q "model.mlir" || { echo "FAIL: the message does not name the file"; exit 1; }
[ "$(cat "$out_file")" = "previous output" ] || { echo "FAIL: the previous file changed"; exit 1; }
ls "$work" | grep -q '\.tmp' && { echo "FAIL: a temporary file was left behind"; exit 1; }
echo "ok"
