#!/usr/bin/env bash
# bench/run.sh — Sinter against PyTorch 1.13 (Debian), in the same run: the 784-256-128-10 ReLU
# MLP's training step (batch 128, SGD) and inference (batch 1 and 128); a chain of 10
# elementwise ops on 4M floats and a softmax over [4096, 1000] (where fusion shows); and Keras-style
# fit() of the chapter-8 network (784-256-128-64-32-10, Adam, batch 128) on Fashion-MNIST against
# the same training loop in PyTorch (samples/s over BENCH_FIT_EPOCHS epochs); the book's LeNet-5
# (chapter 10) training step (batch 128, Adam) and inference, the book's ResNet-18 training step
# (batch 32; steps/s, peak memory, compile time), and one 3x3 convolution's forward and backward
# in a compiled entry against oneDNN's primitives called alone; the chapter-11 LSTM sentiment
# network's training step (batch 128, sequences of 80; compile time for 80 and 800 steps); the
# chapter-14 policy's host round trip (one call, and with CartPole in the loop) and PPO's update.
# Against ONNX Runtime (npm onnxruntime-node 1.30.0, CPU) instead: the same MLP exported to ONNX
# by PyTorch, imported by Sinter (sinter/onnx/Import.h) and loaded by ONNX Runtime, batch 1 and
# batch 128 inference (onnx_mlp_infer_*).
# Data-parallel training (bench_distributed over MPI, docs/distributed.md; PyTorch's
# DistributedDataParallel over Gloo, bench/pytorch_ddp.py): the chapter-8 MLP's and LeNet-5's
# training with 1 rank × THREADS threads and THREADS ranks × 1 thread on this machine, Sinter's
# all-reduce time per step, and its all-reduce bandwidth.
# The MLP and elementwise workloads (with a row reduction, a transpose and a softmax written with
# primitives: generated loops end to end) run on a quiet machine and on a busy one (one spinning
# process per core, started and stopped by this script; there the mean time per call is
# reported), and Sinter also with 1 thread (each Sinter line the median of rounds alternating
# both thread counts).
# Prints one line per workload and machine state (NAME and NAME_busy),
#   WORKLOAD sinter=X peer=Y ratio=Z
# where ratio > 1 means Sinter is faster (steps/s, samples/s: sinter/peer; microseconds:
# peer/sinter); then per workload the busy/quiet throughput of each side ("keeps") and Sinter's
# 2-thread against 1-thread throughput (quiet and busy); then Sinter's compile times. Both sides
# use the same number of threads (default 2).
# Environment: BENCH_SECONDS (measuring time per workload, default 2.5), BENCH_THREADS (2),
#              BENCH_FIT_EPOCHS (measured epochs of the fit workload, 2), BENCH_ROUNDS
#              (alternating THREADS- and 1-thread rounds of Sinter's MLP and elementwise
#              workloads, on each machine state, 5),
#              SINTER_BUILD_DIR (build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${SINTER_BUILD_DIR:-build}
SECS=${BENCH_SECONDS:-2.5}
THREADS=${BENCH_THREADS:-2}
FIT_EPOCHS=${BENCH_FIT_EPOCHS:-2}
ROUNDS=${BENCH_ROUNDS:-5}

scripts/install-deps.sh --bench
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
fi
ninja -C "$BUILD" -j "$(nproc)" bench_mlp bench_elementwise bench_fit bench_compile bench_conv bench_rnn bench_rl bench_onnx bench_distributed
# ONNX Runtime's node package ships its CPU library; ONNXRUNTIME_NODE_INSTALL=skip skips the
# install script's CUDA download.
ORT_DIR=$BUILD/bench-npm
if [[ ! -d "$ORT_DIR/node_modules/onnxruntime-node" ]]; then
  mkdir -p "$ORT_DIR"
  (cd "$ORT_DIR" && ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip \
    npm install --no-audit --no-fund --loglevel=error onnxruntime-node@1.30.0)
fi
MLP_ONNX=$BUILD/bench-mlp.onnx
/usr/bin/python3 bench/export_mlp_onnx.py "$MLP_ONNX"

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
# A busy machine: one spinning process per core, started before and stopped after each busy run
# (think of a build or a second training run). Busy runs report the mean time per call, the
# inverse of throughput (BENCH_STAT, bench/Timing.h): their per-call times fall into two groups
# and the median reports whichever holds half the calls.
SPINNERS=()
start_spinners() {
  local i
  for ((i = 0; i < $(nproc); ++i)); do
    (while :; do :; done) &
    SPINNERS+=($!)
  done
  export BENCH_STAT=mean
  sleep 0.5
}
stop_spinners() {
  unset BENCH_STAT
  [[ ${#SPINNERS[@]} -gt 0 ]] || return 0
  kill "${SPINNERS[@]}" 2>/dev/null || true
  wait "${SPINNERS[@]}" 2>/dev/null || true
  SPINNERS=()
}
trap stop_spinners EXIT
# suffix S: appends S to the workload name of each result line.
suffix() { sed "s/^\([a-z0-9_]*\) \([a-z_]*=\)/\1$1 \2/"; }
show() { sed 's/^/   /' >&2; }

peer_quick() { # the MLP and elementwise peers
  env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_mlp.py --seconds "$SECS" --threads "$THREADS"
  /usr/bin/python3 bench/pytorch_elementwise.py --seconds "$SECS" --threads "$THREADS"
}
sinter_quick() { # the same workloads on Sinter, with $1 OpenMP threads (compile lines named)
  OMP_NUM_THREADS=$1 "$BUILD/bin/bench_mlp" --seconds "$SECS" | sed 's/^compile_seconds=/mlp_program &/'
  OMP_NUM_THREADS=$1 "$BUILD/bin/bench_elementwise" --seconds "$SECS" |
    sed 's/^compile_seconds=/elementwise_program &/'
}
# sinter_rounds SUFFIX: sinter_quick with THREADS and with 1 thread in ROUNDS alternating
# rounds, each line the median of its rounds, named NAME$SUFFIX and NAME${SUFFIX}_1t: figures
# move by tens of percent between separate runs (most on a busy machine), which made
# "2 threads against 1" a comparison of two moments rather than of two thread counts.
sinter_rounds() {
  local two="" one="" round
  for ((round = 0; round < ROUNDS; ++round)); do
    two+=$(sinter_quick "$THREADS")$'\n'
    one+=$(sinter_quick 1)$'\n'
  done
  bench/median_rounds.py <<<"$two" | suffix "$1"
  bench/median_rounds.py <<<"$one" | suffix "${1}_1t"
}

echo "== quiet machine"
peer=$(peer_quick)
peer_fit=$(env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_fit.py --epochs "$FIT_EPOCHS" --threads "$THREADS")
peer_conv=$(env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_conv.py --seconds "$SECS" --threads "$THREADS")
peer_resnet=$(env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_conv.py --resnet18 --seconds "$SECS" --threads "$THREADS")
peer_rnn=$(env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_rnn.py --seconds "$SECS" --threads "$THREADS")
peer_rl=$(/usr/bin/python3 bench/pytorch_rl.py --seconds "$SECS" --threads "$THREADS")
peer_onnx=$(NODE_PATH="$ORT_DIR/node_modules" node bench/onnxruntime_mlp.js "$MLP_ONNX" "$SECS" "$THREADS")
peer_dp=$(env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_ddp.py --ranks 1 --threads "$THREADS" | suffix _1rank
  env "${PEER_ENV[@]}" /usr/bin/python3 bench/pytorch_ddp.py --ranks "$THREADS" --threads 1 | suffix "_${THREADS}ranks")
peer="$peer"$'\n'"$peer_fit"$'\n'"$peer_conv"$'\n'"$peer_resnet"$'\n'"$peer_rnn"$'\n'"$peer_rl"$'\n'"$peer_onnx"$'\n'"$peer_dp"
echo "$peer" | sed 's/^/   peer   /'
sinter_both=$(sinter_rounds "")
sinter=$(grep -v '_1t ' <<<"$sinter_both")
sinter_1t=$(grep '_1t ' <<<"$sinter_both")
sinter_fit=$(OMP_NUM_THREADS=$THREADS "$BUILD/bin/bench_fit" --epochs "$FIT_EPOCHS")
sinter_conv=$(OMP_NUM_THREADS=$THREADS "$BUILD/bin/bench_conv" --seconds "$SECS")
sinter_resnet=$(OMP_NUM_THREADS=$THREADS "$BUILD/bin/bench_conv" --resnet18 --seconds "$SECS")
sinter_rnn=$(OMP_NUM_THREADS=$THREADS "$BUILD/bin/bench_rnn" --seconds "$SECS")
sinter_rl=$(OMP_NUM_THREADS=$THREADS "$BUILD/bin/bench_rl" --seconds "$SECS")
sinter_onnx=$(OMP_NUM_THREADS=$THREADS "$BUILD/bin/bench_onnx" "$MLP_ONNX" --seconds "$SECS")
sinter="$sinter"$'\n'"$sinter_fit"$'\n'"$sinter_conv"$'\n'"$sinter_resnet"$'\n'"$sinter_rnn"$'\n'"$sinter_rl"$'\n'"$sinter_onnx"
echo "$sinter" | sed 's/^/   sinter /'
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
sinter_dp1=$("${MPIRUN[@]}" -np 1 -x OMP_NUM_THREADS="$THREADS" "$BUILD/bin/bench_distributed" | suffix _1rank)
sinter_dp2=$("${MPIRUN[@]}" -np "$THREADS" -x OMP_NUM_THREADS=1 "$BUILD/bin/bench_distributed" | suffix _${THREADS}ranks)
echo "$sinter_dp1"$'\n'"$sinter_dp2" | sed 's/^/   sinter /'
sinter="$sinter"$'\n'"$sinter_dp1"$'\n'"$sinter_dp2"
echo "$sinter_1t" | sed 's/^/   sinter /'

echo "== busy machine ($(nproc) spinning processes)"
start_spinners
peer_busy=$(peer_quick | suffix _busy)
stop_spinners
echo "$peer_busy" | sed 's/^/   peer   /'
start_spinners
sinter_busy_both=$(sinter_rounds _busy)
stop_spinners
sinter_busy=$(grep -v '_1t ' <<<"$sinter_busy_both")
sinter_busy_1t=$(grep '_1t ' <<<"$sinter_busy_both")
echo "$sinter_busy" | sed 's/^/   sinter /'
echo "$sinter_busy_1t" | sed 's/^/   sinter /'
echo
peer="$peer"$'\n'"$peer_busy"
sinter="$sinter"$'\n'"$sinter_1t"$'\n'"$sinter_busy"$'\n'"$sinter_busy_1t"

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
# speed A B KEY higher|lower TEXT: how much faster A is than B (throughput ratio).
speed() {
  awk -v a="$1" -v b="$2" -v better="$4" 'BEGIN {
    if (a == "" || b == "") { print "n/a"; exit }
    printf "%.2f", better == "higher" ? a / b : b / a }'
}
keeps() { # WORKLOAD KEY higher|lower: busy/quiet throughput of each side, and 2 vs 1 thread
  local w=$1 k=$2 better=$3
  printf "%s sinter_keeps=%s peer_keeps=%s sinter_2t_vs_1t=%s sinter_2t_vs_1t_busy=%s\n" "$w" \
    "$(speed "$(value "${w}_busy" "$k" "$sinter")" "$(value "$w" "$k" "$sinter")" "$k" "$better")" \
    "$(speed "$(value "${w}_busy" "$k" "$peer")" "$(value "$w" "$k" "$peer")" "$k" "$better")" \
    "$(speed "$(value "$w" "$k" "$sinter")" "$(value "${w}_1t" "$k" "$sinter")" "$k" "$better")" \
    "$(speed "$(value "${w}_busy" "$k" "$sinter")" "$(value "${w}_busy_1t" "$k" "$sinter")" "$k" "$better")"
}
WORKLOADS=(
  "mlp_train_b128 steps_per_s higher" "mlp_infer_b1 us lower" "mlp_infer_b128 us lower"
  "ew_chain_4m us lower" "softmax_4096x1000 us lower" "softmax_generated_4096x1000 us lower"
  "reduce_rows_4096x1000 us lower" "transpose_4096x1000 us lower"
)
echo "== Sinter against PyTorch (ratio > 1: Sinter faster)"
for w in "${WORKLOADS[@]}"; do
  read -r name key better <<<"$w"
  report "$name" "$key" "$better"
  report "${name}_busy" "$key" "$better"
done
report fit_ch08_fashion samples_per_s higher
report lenet5_train_b128 steps_per_s higher
report lenet5_infer_b100 us_per_image lower
report resnet18_train_b32 steps_per_s higher
report lstm_train_b128 steps_per_s higher
report rl_policy_call_us us lower
report rl_policy_loop steps_per_s higher
report ppo_train_b32 steps_per_s higher
echo "== Sinter against ONNX Runtime on the same ONNX file (ratio > 1: Sinter faster)"
report onnx_mlp_infer_b1 us lower
report onnx_mlp_infer_b128 us lower
echo "== data-parallel training (ratio > 1: Sinter faster; Sinter over MPI, PyTorch DDP over Gloo)"
for w in dp_mlp_train_b128 dp_lenet5_train_b128; do
  report "${w}_1rank" samples_per_s higher
  report "${w}_${THREADS}ranks" samples_per_s higher
  echo "$w ${THREADS} ranks x 1 thread against 1 rank x $THREADS threads:" \
    "sinter=$(speed "$(value "${w}_${THREADS}ranks" samples_per_s "$sinter")" "$(value "${w}_1rank" samples_per_s "$sinter")" x higher)" \
    "peer=$(speed "$(value "${w}_${THREADS}ranks" samples_per_s "$peer")" "$(value "${w}_1rank" samples_per_s "$peer")" x higher)" \
    "sinter_allreduce_ms_per_step=$(value "${w}_${THREADS}ranks" allreduce_ms_per_step "$sinter")" \
    "waiting_ms_per_step=$(value "${w}_${THREADS}ranks" waiting_ms_per_step "$sinter")"
done
grep '^allreduce_' <<<"$sinter_dp2" || true
echo "resnet18_train_b32 peak memory (MB): sinter=$(value resnet18_train_b32 peak_rss_mb "$sinter")" \
  "peer=$(value resnet18_train_b32 peak_rss_mb "$peer")"
echo "lstm_train_b128 with the LSTM on oneDNN's RNN primitives (useLibrary):" \
  "$(value lstm_train_b128_onednn steps_per_s "$sinter") steps/s; the forward pass" \
  "$(value lstm_infer_b128_onednn us "$sinter") us against the scan's $(value lstm_infer_b128 us "$sinter") us"
echo "conv3x3_step (a compiled forward + backward against the three oneDNN primitives alone):" \
  "$(grep '^conv3x3_step' <<<"$sinter")"
echo
echo "== busy/quiet throughput (keeps), and 2 threads against 1 (quiet, busy)"
for w in "${WORKLOADS[@]}"; do
  read -r name key better <<<"$w"
  keeps "$name" "$key" "$better"
done
echo
echo "sinter compile_seconds=$(value mlp_program compile_seconds "$sinter")" \
  "(one program: train_step + predict_b1 + predict_b128)"
echo "sinter compile_seconds=$(awk -F= '/^compile_seconds=/ { print $2 }' <<<"$sinter_fit")" \
  "(one program: the train_step of fit, any batch size)"
echo "sinter compile_seconds=$(awk -F= '/^compile_seconds=/ { print $2 }' <<<"$sinter_conv")" \
  "(one program: LeNet-5 train_step + predict)"
echo "sinter compile_seconds=$(value resnet18_train_b32 compile_seconds "$sinter")" \
  "(one program: the ResNet-18 train_step)"
echo "sinter compile_seconds=$(value lstm_train_b128 compile_seconds "$sinter")" \
  "(the LSTM train_step, sequences of 80; of 800: $(value lstm_train_b128 compile_seconds_seq800 "$sinter"))"
echo "== compile time against graph size (MLP of N hidden layers, Adam step + predict)"
"$BUILD/bin/bench_compile" --layers 8,32,64 | sed 's/^/sinter /'
exit "$status"
