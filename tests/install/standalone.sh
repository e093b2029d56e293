#!/usr/bin/env bash
# Installs Sinter from a build tree into a fresh prefix, builds examples/standalone against that
# prefix alone (find_package(Sinter)) and runs its four programs; then builds the ahead-of-time
# program a second way, with pkg-config's sinter-runtime flags only.
# Usage: standalone.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
BUILD=$1 SRC=$2 WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
PREFIX=$WORK/prefix

echo "== cmake --install $BUILD --prefix $PREFIX"
cmake --install "$BUILD" --prefix "$PREFIX" > "$WORK/install.log"
test -f "$PREFIX/lib/cmake/Sinter/SinterConfig.cmake"

echo "== examples/standalone against $PREFIX"
# The example sees the prefix and the system, never the source or build tree of Sinter.
cmake -S "$SRC/examples/standalone" -B "$WORK/example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$PREFIX" > "$WORK/configure.log"
cmake --build "$WORK/example"
"$WORK/example/train_graph"
"$WORK/example/train_keras"
"$WORK/example/predict_aot"
"$WORK/example/predict_standalone"

echo "== predict_aot through pkg-config sinter-runtime"
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
# shellcheck disable=SC2046 # the flags are words
c++ -O2 $(pkg-config --cflags sinter-runtime) -I "$WORK/example/linear_model" \
  "$SRC/examples/standalone/predict_aot.cpp" "$WORK/example/linear_model/linear_model.o" \
  $(pkg-config --libs sinter-runtime) -o "$WORK/predict_pkg_config"
"$WORK/predict_pkg_config"

for program in train_keras predict_aot; do
  if ldd "$WORK/example/$program" | grep -F "$BUILD/lib/"; then
    echo "standalone.sh: $program loads a library from the build tree" >&2
    exit 1
  fi
done
if ldd "$WORK/example/predict_aot" | grep -E 'MLIR|LLVM|sinter_frontend'; then
  echo "standalone.sh: the ahead-of-time program needs more than the runtime" >&2
  exit 1
fi
if ldd "$WORK/example/predict_standalone" | grep -E 'sinter|dnnl|protobuf|gomp'; then
  echo "standalone.sh: the STANDALONE program loads more than the standard libraries" >&2
  exit 1
fi
echo "standalone.sh: the installed package builds and runs all four programs"
