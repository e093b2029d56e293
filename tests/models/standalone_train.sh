#!/bin/sh
# standalone_train.sh SINTER_COMPILE MODEL.sinter SOURCE_DIR BUILD_LIB WORKDIR
# LeNet-5's train_step (convolution, max-pooling and dense gradients, Adam) compiled ahead of
# time twice — linked with libsinter_runtime, and --standalone with libsinter_standalone only —
# and run 30 steps on one batch by standalone_train.cpp: both losses must fall, the standalone
# program must load no Sinter library, oneDNN, protobuf or OpenMP runtime, and the first step's
# loss (before any update) must agree between the two builds to 1e-4.
# SINTER_DEPLOY_CXXFLAGS (set by the sanitizer build) adds compiler flags.
set -u
compile=$1 model=$2 src=$3 lib=$4 work=$5
mkdir -p "$work" || exit 1
. "$src/tests/models/build_deployable.sh"
# build NAME [--standalone] LINK...: the object, the header and the training program of one build.
build() {
  name=$1 flag=$2
  shift 2
  build_deployable "$work/$name" train_step lenet LenetModel "$flag" \
    "$src/tests/models/standalone_train.cpp" "$work/train_$name" '-DTRAIN_HEADER="lenet.h"' "$@"
}
build runtime "" -L "$lib" -lsinter_runtime "-Wl,-rpath,$lib"
build standalone --standalone "$lib/libsinter_standalone.a"

if ldd "$work/train_standalone" | grep -E 'sinter|dnnl|protobuf|gomp|omp'; then
  echo "FAIL: the standalone training program loads the libraries above"; exit 1
fi
for name in runtime standalone; do
  "$work/train_$name" > "$work/$name.log" 2>&1 || {
    cat "$work/$name.log"; echo "FAIL: train_$name"; exit 1; }
  echo "$name: $(head -1 "$work/$name.log") ... $(tail -1 "$work/$name.log")"
done
first() { sed -n 's/^step 0 loss //p' "$work/$1.log"; }
awk -v a="$(first runtime)" -v b="$(first standalone)" 'BEGIN {
  d = a - b; if (d < 0) d = -d; exit !(d <= 1e-4 * (a < 0 ? -a : a)) }' || {
  echo "FAIL: the first losses differ: runtime $(first runtime), standalone $(first standalone)"
  exit 1; }
echo "ok: the standalone train_step learns like the runtime-linked one"
