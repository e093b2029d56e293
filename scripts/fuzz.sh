#!/usr/bin/env bash
# fuzz.sh [SECONDS] — fuzzes every loader of untrusted files with libFuzzer for SECONDS each
# (default 60), two targets at a time: .npy, IDX, CSV, JSON, the artifact manifest, checkpoints,
# TensorBoard event files, images (PNG/JPEG/GIF), Sinter model files (loaded, verified and
# compiled to the grad phase) and ONNX models. Builds build-fuzz/ with clang-22, ASan + UBSan
# and libFuzzer's coverage (-DSINTER_FUZZ=ON); seeds come from the project's own writers
# (fuzz/make_seeds.cpp) and tests/onnx/make_models.py. Prints executions and crashes per target
# and exits 1 when any target crashed; crash inputs are kept in build-fuzz/fuzz-work/crashes/.
# Environment: SINTER_FUZZ_BUILD_DIR (build-fuzz), SINTER_FUZZ_JOBS (2, targets at a time).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECONDS_PER_TARGET=${1:-60}
[[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2; }
BUILD=${SINTER_FUZZ_BUILD_DIR:-build-fuzz}
JOBS=${SINTER_FUZZ_JOBS:-2}
TARGETS=(npy idx csv json manifest checkpoint events image model onnx)

scripts/install-deps.sh --fuzz
if [[ ! -f "$BUILD/build.ninja" ]]; then
  # Clang compiles against GNU OpenMP (libgomp), the runtime Debian's oneDNN uses.
  GOMP=$(gcc -print-file-name=libgomp.so)
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSINTER_FUZZ=ON -DOpenMP_C_FLAGS=-fopenmp=libgomp -DOpenMP_CXX_FLAGS=-fopenmp=libgomp \
    -DOpenMP_C_LIB_NAMES=gomp -DOpenMP_CXX_LIB_NAMES=gomp -DOpenMP_gomp_LIBRARY="$GOMP"
fi
ninja -C "$BUILD" fuzz_targets fuzz_make_seeds

WORK=$ROOT/$BUILD/fuzz-work
[[ "$BUILD" == /* ]] && WORK=$BUILD/fuzz-work
rm -rf "$WORK/seeds" "$WORK/crashes" "$WORK/logs"
mkdir -p "$WORK/seeds" "$WORK/crashes" "$WORK/logs"
export OMP_NUM_THREADS=1
# Leaks are not findings here (MLIR keeps process-wide caches); everything else ASan and UBSan
# report is.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
"$BUILD/bin/fuzz_make_seeds" "$WORK/seeds"
mkdir -p "$WORK/seeds/onnx"
/usr/bin/python3 tests/onnx/make_models.py "$WORK/onnx-models" > /dev/null
cp "$WORK/onnx-models"/*.onnx "$WORK/seeds/onnx/"

run_target() {
  local t=$1 corpus=$WORK/corpus/$t
  mkdir -p "$corpus"
  # -malloc_limit_mb: a loader that allocates what a small file's header claims is a finding.
  "$BUILD/bin/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=20 -artifact_prefix="$WORK/crashes/$t-" \
    "$corpus" "$WORK/seeds/$t" > "$WORK/logs/$t.log" 2>&1 || true
}
running=0
for t in "${TARGETS[@]}"; do
  run_target "$t" &
  if (( ++running >= JOBS )); then
    wait -n
    running=$((running - 1))
  fi
done
wait

printf '\n%-11s %14s %8s %10s\n' target executions crashes "corpus"
total=0
crashed=0
for t in "${TARGETS[@]}"; do
  execs=$(awk '/stat::number_of_executed_units:/ { print $2 }' "$WORK/logs/$t.log" | tail -1)
  crashes=$(find "$WORK/crashes" -name "$t-*" -type f | wc -l)
  corpus=$(find "$WORK/corpus/$t" -type f | wc -l)
  printf '%-11s %14s %8s %10s\n' "$t" "${execs:-?}" "$crashes" "$corpus"
  total=$((total + ${execs:-0}))
  crashed=$((crashed + crashes))
done
printf '%-11s %14s %8s\n' total "$total" "$crashed"
if ((crashed > 0)); then
  echo "fuzz.sh: crash inputs in $WORK/crashes (logs in $WORK/logs)" >&2
  exit 1
fi
