#!/bin/sh
# deployed_standalone.sh SINTER_COMPILE MODEL.sinter SOURCE_DIR BUILD_LIB DATA_DIR WORKDIR
# The demo's classifier (models/deploy/classify.cpp) built twice from the saved model's predict
# entry: as the demo builds it (object + header + libsinter_runtime, oneDNN's matmuls) and with
# `sinter-compile --standalone` (generated matmuls; object + header + libsinter_standalone.a).
# The standalone program must load no Sinter library, oneDNN, protobuf or OpenMP runtime (ldd;
# zlib is the data reader's), give the same accuracy for batches of 1, 7 and 1000, and agree
# with the runtime-linked build to 0.001. Prints both builds' sizes and speed.
# SINTER_DEPLOY_CXXFLAGS (set by the sanitizer build) adds compiler flags.
set -u
compile=$1 model=$2 src=$3 lib=$4 data=$5 work=$6
mkdir -p "$work" || exit 1
. "$src/tests/models/build_deployable.sh"
# build NAME [--standalone] LINK...: the object, the header and the classifier of one build.
build() {
  name=$1 flag=$2
  shift 2
  build_deployable "$work/$name" predict mlp MlpModel "$flag" "$src/models/deploy/classify.cpp" \
    "$work/classify_$name" "$@" -lz
}
build runtime "" -L "$lib" -lsinter_runtime "-Wl,-rpath,$lib"
build standalone --standalone "$lib/libsinter_standalone.a"

deps=$(ldd "$work/classify_standalone") || { echo "FAIL: ldd"; exit 1; }
printf '%s\n' "$deps"
if printf '%s\n' "$deps" | grep -E 'sinter|dnnl|protobuf|gomp|omp'; then
  echo "FAIL: the standalone classifier loads the libraries above"; exit 1
fi

# accuracy BINARY BATCH: the deployed_accuracy the classifier prints.
accuracy() {
  out=$("$work/classify_$1" "$data" "$2" 2>&1) || {
    printf '%s\n' "$out"; echo "FAIL: classify_$1 with batch $2"; exit 1; }
  printf '%s\n' "$out" | head -1 >&2
  printf '%s\n' "$out" | sed -n 's/.*deployed_accuracy=\([0-9.]*\).*/\1/p'
}
reference=$(accuracy runtime 100)
first=""
for batch in 1 7 1000; do
  acc=$(accuracy standalone "$batch")
  [ -n "$acc" ] || { echo "FAIL: no deployed_accuracy for batch $batch"; exit 1; }
  [ -z "$first" ] && first=$acc
  [ "$acc" = "$first" ] || { echo "FAIL: batch $batch gave $acc, batch 1 gave $first"; exit 1; }
done
awk -v a="$first" -v r="$reference" 'BEGIN { d = a - r; exit !(d <= 0.001 && d >= -0.001 && a >= 0.5) }' || {
  echo "FAIL: standalone accuracy $first against $reference with the runtime"; exit 1; }
echo "sizes (bytes): standalone classifier $(wc -c < "$work/classify_standalone");" \
  "runtime-linked classifier $(wc -c < "$work/classify_runtime") + libsinter_runtime" \
  "$(wc -c < "$lib/libsinter_runtime.so")"
echo "ok: standalone deployed_accuracy=$first (runtime-linked: $reference) for batches 1, 7 and 1000"
