#!/usr/bin/env bash
# demo.sh — Sinter end to end on a fresh Debian 12 machine:
#   1. set-up and build (scripts/build.sh),
#   2. train the 784-256-128-10 MLP on Fashion-MNIST with compiled code and save it (.sinter),
#   3. compile its `predict` entry ahead of time to an object file + a C++ header,
#   4. build the deployed program (models/deploy/classify.cpp: the object + libsinter_runtime),
#   5. run it on the 10,000 test images: its accuracy and its size.
# Environment: SINTER_DEMO_EPOCHS (default 5).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=build
OUT=$BUILD/demo
DATA=/usr/share/datasets/fashion-mnist
EPOCHS=${SINTER_DEMO_EPOCHS:-5}

section() { printf '\n========== %s ==========\n' "$*"; }

section "1. set-up and build"
scripts/build.sh
mkdir -p "$OUT"

section "2. train the MLP on Fashion-MNIST ($EPOCHS epochs, compiled train_step)"
stdbuf -oL "$BUILD/bin/ch03_mnist_mlp" --dataset fashion --epochs "$EPOCHS" --save "$OUT/mlp.sinter" \
  | tee "$OUT/train.log"

section "3. compile 'predict' ahead of time: sinter-compile -> $OUT/mlp.o + $OUT/mlp.h"
"$BUILD/bin/sinter-compile" "$OUT/mlp.sinter" --entry predict --emit=obj --prefix mlp \
  -o "$OUT/mlp.o"
"$BUILD/bin/sinter-compile" "$OUT/mlp.sinter" --entry predict --emit=header --prefix mlp \
  --class-name MlpModel -o "$OUT/mlp.h"
ls -l "$OUT/mlp.sinter" "$OUT/mlp.o" "$OUT/mlp.h"

section "4. build the deployed program (object + libsinter_runtime only)"
CMD=(c++ -O2 -std=c++20 -I "$OUT" -I runtime/include models/deploy/classify.cpp "$OUT/mlp.o"
     -L "$BUILD/lib" -lsinter_runtime -lz "-Wl,-rpath,$ROOT/$BUILD/lib" -o "$OUT/classify")
echo "${CMD[*]}"
"${CMD[@]}"
echo "shared libraries of the deployed binary:"
ldd "$OUT/classify" | grep -E 'sinter|dnnl|MLIR|LLVM' || true

section "5. run the deployed binary on the Fashion-MNIST test set"
"$OUT/classify" "$DATA" | tee "$OUT/classify.log"

# The deployed binary runs the same predict graph on the same saved weights as the training
# program's final evaluation, so the two accuracies should agree.
metric() { grep -o "$1=[0-9.]*" "$2" | tail -n 1 | cut -d= -f2; }
trained=$(metric test_accuracy "$OUT/train.log" || true)
deployed=$(metric deployed_accuracy "$OUT/classify.log" || true)
section "summary"
echo "in-process test_accuracy=${trained:-?}   deployed_accuracy=${deployed:-?}"
echo "artifacts in $OUT: mlp.sinter (model), mlp.o + mlp.h (compiled predict), classify (deployed)"
