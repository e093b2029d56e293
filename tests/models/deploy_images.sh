#!/bin/sh
# deploy_images.sh SINTER_COMPILE MODEL.sinter SOURCE_DIR BUILD_LIB WORKDIR IMAGE...
# Chapter 15's deployed image classifier (models/deploy/classify_images.cpp): the saved model's
# predict entry compiled ahead of time and linked with libsinter_image and libsinter_runtime
# only, run on the given image files plus a corrupt one. Every good image gets a line with one of
# the class names of MODEL.sinter.classes; the corrupt file is named in an error and makes the
# exit status 1 without stopping the others.
set -u
compile=$1 model=$2 src=$3 lib=$4 work=$5
shift 5
if [ ! -f "${1:-}" ]; then
  echo "SKIP: the image ${1:-(none)} is not there (scripts/fetch-image-data.sh)"
  exit 77
fi
. "$src/tests/models/build_deployable.sh"
build_deployable "$work" predict image ImageModel "" "$src/models/deploy/classify_images.cpp" \
  "$work/classify_images" -I "$src/frontend/include" -L "$lib" -lsinter_image -lsinter_runtime \
  "-Wl,-rpath,$lib"
if ldd "$work/classify_images" | grep -E 'MLIR|LLVM|sinter_frontend|sinter_nn'; then
  echo "FAIL: the deployed classifier links the compiler or the frontend"; exit 1
fi

printf 'GIF89a, but not really' > "$work/corrupt.gif"
out=$("$work/classify_images" "$model.classes" "$@" "$work/corrupt.gif" 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 1 ] || { echo "FAIL: exit status $rc with a corrupt image (expected 1)"; exit 1; }
printf '%s\n' "$out" | grep -q "corrupt.gif" || { echo "FAIL: the corrupt file is not named"; exit 1; }
for image in "$@"; do
  line=$(printf '%s\n' "$out" | grep -F "$image: ") || { echo "FAIL: no class for $image"; exit 1; }
  class=$(printf '%s\n' "$line" | sed 's/.*: \([^ ]*\) (p=.*/\1/')
  grep -qx "$class" "$model.classes" || { echo "FAIL: '$class' is not a class name"; exit 1; }
done
printf '%s\n' "$out" | grep -q "^images=$(($# + 1)) classified=$# binary_size_bytes=[1-9]" || {
  echo "FAIL: no summary line"; exit 1; }
echo "ok: $# images classified by the deployed binary"
