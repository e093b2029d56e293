#!/usr/bin/env bash
# bench/run.sh — Sinter against PyTorch 1.13 (Debian), in the same run: the 784-256-128-10 ReLU
# MLP's training step (batch 128, SGD) and inference (batch 1 and 128); a chain of 10
# elementwise ops on 4M floats and a softmax over [4096, 1000] (where fusion shows); and Keras-style
# fit() of the chapter-8 network (784-256-128-64-32-10, Adam, batch 128) on Fashion-MNIST against
# the same training loop in PyTorch (samples/s over BENCH_FIT_EPOCHS epochs).
# Prints one line per workload,
#   WORKLOAD sinter=X peer=Y ratio=Z
# where ratio > 1 means Sinter is faster (steps/s, samples/s: sinter/peer; microseconds:
# peer/sinter),
# then Sinter's compile time. Both sides use the same number of threads (default 2).
# Environment: BENCH_SECONDS (measuring time per workload, default 2.5), BENCH_THREADS (2),
#              BENCH_FIT_EPOCHS (measured epochs of the fit workload, 2), SINTER_BUILD_DIR (build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${SINTER_BUILD_DIR:-build}
SECS=${BENCH_SECONDS:-2.5}
THREADS=${BENCH_THREADS:-2}
FIT_EPOCHS=${BENCH_FIT_EPOCHS:-2}

scripts/install-deps.sh --bench
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
fi
ninja -C "$BUILD" -j "$(nproc)" bench_mlp bench_elementwise bench_fit

# One thread pool of THREADS threads on each side (oneDNN runs on GNU OpenMP).
export OMP_NUM_THREADS=$THREADS
# PyTorch's matmul goes through OpenBLAS, which picks slow SSE kernels on these CPUs unless told
# the core type; only claim AVX-512 when the CPU has it.
PEER_ENV=()
if grep -qw avx512f /proc/cpuinfo; then
  PEER_ENV=(OPENBLAS_CORETYPE=SkylakeX)
fi

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, $THREADS threads"
echo "== peer: PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null)"
peer=$(env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_mlp.py --seconds "$SECS" --threads "$THREADS")
echo "$peer" | sed 's/^/   /'
peer_ew=$(/usr/bin/python3 bench/pytorch_elementwise.py --seconds "$SECS" --threads "$THREADS")
echo "$peer_ew" | sed 's/^/   /'
peer_fit=$(env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_fit.py --epochs "$FIT_EPOCHS" --threads "$THREADS")
echo "$peer_fit" | sed 's/^/   /'
peer="$peer"$'\n'"$peer_ew"$'\n'"$peer_fit"
echo "== sinter: $BUILD/bin/bench_mlp, $BUILD/bin/bench_elementwise, $BUILD/bin/bench_fit"
sinter=$("$BUILD/bin/bench_mlp" --seconds "$SECS")
echo "$sinter" | sed 's/^/   /'
sinter_ew=$("$BUILD/bin/bench_elementwise" --seconds "$SECS")
echo "$sinter_ew" | sed 's/^/   /'
sinter_fit=$("$BUILD/bin/bench_fit" --epochs "$FIT_EPOCHS")
echo "$sinter_fit" | sed 's/^/   /'
echo

# value NAME KEY TEXT: the number after KEY= on the line that starts with NAME.
value() { awk -v n="$1" -v k="$2" '$1 == n { for (i = 2; i <= NF; ++i) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' <<<"$3"; }

status=0
report() { # WORKLOAD KEY higher|lower
  local s p
  s=$(value "$1" "$2" "$sinter")
  p=$(value "$1" "$2" "$peer")
  if [[ -z "$s" || -z "$p" ]]; then
    echo "$1 sinter=${s:-missing} peer=${p:-missing} ratio=n/a"
    status=1
    return
  fi
  awk -v w="$1" -v s="$s" -v p="$p" -v better="$3" -v unit="$2" 'BEGIN {
    r = better == "higher" ? s / p : p / s
    printf "%s sinter=%s peer=%s ratio=%.2f   (%s)\n", w, s, p, r, unit }'
}
report mlp_train_b128 steps_per_s higher
report mlp_infer_b1 us lower
report mlp_infer_b128 us lower
sinter_mlp=$sinter
sinter=$sinter_ew
report ew_chain_4m us lower
report softmax_4096x1000 us lower
sinter=$sinter_fit
report fit_ch08_fashion samples_per_s higher
echo "sinter compile_seconds=$(awk -F= '/^compile_seconds=/ { print $2 }' <<<"$sinter_mlp")" \
  "(one program: train_step + predict_b1 + predict_b128)"
echo "sinter compile_seconds=$(awk -F= '/^compile_seconds=/ { print $2 }' <<<"$sinter_ew")" \
  "(one program: ew_chain + softmax)"
echo "sinter compile_seconds=$(awk -F= '/^compile_seconds=/ { print $2 }' <<<"$sinter_fit")" \
  "(one program: train_step_b128 + train_step_b96 of fit)"
exit "$status"
