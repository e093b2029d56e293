#!/usr/bin/env bash
# sanitize.sh — the test suite under AddressSanitizer and UndefinedBehaviorSanitizer: builds
# build-asan/ (-DSINTER_SANITIZE=ON, optimised with -O1) and runs every test there but the
# format and generated-doc checks and the installed-package example (a separate project built
# without the sanitizers). CI runs it after scripts/test.sh. Any ASan or UBSan report fails the
# test that made it.
# Extra arguments go to ctest (e.g. `scripts/sanitize.sh -R unit_`).
# Environment: SINTER_ASAN_BUILD_DIR (default: build-asan), SINTER_TEST_JOBS (default: 2),
#              SINTER_MNIST_CACHE (default: build/data, where scripts/build.sh fetches data).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${SINTER_ASAN_BUILD_DIR:-build-asan}
[[ "$BUILD" == /* ]] || BUILD="$ROOT/$BUILD"

scripts/install-deps.sh
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSINTER_SANITIZE=ON \
    -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG"
fi
printf '\n== sanitizer build (%s) ==\n' "$BUILD"
ninja -C "$BUILD" -j "$(nproc)"

printf '\n== tests under ASan + UBSan ==\n'
export SINTER_MNIST_CACHE=${SINTER_MNIST_CACHE:-$ROOT/build/data}
# The tests find the fetched data sets in the build folder's data/: share scripts/build.sh's.
if [[ -d "$SINTER_MNIST_CACHE" && ! -e "$BUILD/data" ]]; then
  ln -s "$SINTER_MNIST_CACHE" "$BUILD/data"
fi
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
# Leaks are not reported: MLIR and LLVM keep process-wide caches until exit. A huge allocation
# must fail as std::bad_alloc, which the loaders turn into errors (tests check that).
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --test-dir "$BUILD" --output-on-failure -j "${SINTER_TEST_JOBS:-2}" --timeout 1800 \
  -E '^(format_check|docs_ops_md_current|install_standalone_example)$' "$@"
