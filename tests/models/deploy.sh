#!/bin/sh
# deploy.sh SINTER_COMPILE SINTER_RUN MODEL.sinter WORKDIR
# The deployment path of a saved model: compile its predict entry to a shared object with
# sinter-compile, then run it with sinter-run (random inputs), which prints the time per call;
# the entry takes any batch size (x [None, 784]): batches of 1, 7, 128 and 1000 through it.
set -u
compile=$1 run=$2 model=$3 work=$4
mkdir -p "$work" || exit 1
so="$work/predict.so"
rm -f "$so"
"$compile" "$model" --entry predict --emit=so -o "$so" || {
  echo "FAIL: sinter-compile --emit=so exited with status $?"; exit 1; }
[ -s "$so" ] || { echo "FAIL: $so was not written"; exit 1; }
out=$("$run" "$so" --entry predict 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: sinter-run exited with status $rc"; exit 1; }
printf '%s\n' "$out" | grep -Eq 'time_per_call_us=[0-9.]+' || {
  echo "FAIL: sinter-run printed no time_per_call_us"; exit 1; }
for batch in 1 7 128 1000; do
  out=$("$run" "$so" --entry predict --batch "$batch" 2>&1) || {
    printf '%s\n' "$out"; echo "FAIL: sinter-run --batch $batch failed"; exit 1; }
  printf '%s\n' "$out" | grep -q "logits = <tf.Tensor: shape=($batch, 10)" || {
    printf '%s\n' "$out"; echo "FAIL: --batch $batch gave no ($batch, 10) logits"; exit 1; }
done
echo "ok"
