#!/bin/sh
# a3c_threads.sh A3C_BINARY WORKDIR
# A3C under the threading contract: with one worker the run is deterministic (two runs give the
# same trained weights, bit for bit); with two workers pushing to and pulling from the global
# model at once it finishes with the asked-for episodes and finite weights.
set -u
bin=$1
work=$2
fingerprint() { printf '%s\n' "$1" | tail -n 1 | grep -o 'weight_sum=[^ ]*'; }
one=$("$bin" --workers 1 --episodes 30 --seed 5 --plot "$work/a3c_1.png" 2>&1) || { printf '%s\n' "$one"; echo "FAIL: 1 worker"; exit 1; }
again=$("$bin" --workers 1 --episodes 30 --seed 5 --plot "$work/a3c_1.png" 2>&1) || { printf '%s\n' "$again"; echo "FAIL: 1 worker, again"; exit 1; }
printf '%s\n%s\n' "$one" "$again"
if [ "$(fingerprint "$one")" != "$(fingerprint "$again")" ] || [ -z "$(fingerprint "$one")" ]; then
  echo "FAIL: one worker is not deterministic: $(fingerprint "$one") vs $(fingerprint "$again")"
  exit 1
fi
two=$("$bin" --workers 2 --episodes 40 --seed 5 --plot "$work/a3c_2.png" 2>&1) || { printf '%s\n' "$two"; echo "FAIL: 2 workers"; exit 1; }
printf '%s\n' "$two"
echo "deterministic=1 $(printf '%s\n' "$two" | tail -n 1)"
