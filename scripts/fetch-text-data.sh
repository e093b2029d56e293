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

# shellcheck source=scripts/npm-fetch.sh
source "$(dirname "${BASH_SOURCE[0]}")/npm-fetch.sh"

npm_fetch "$CACHE" sentiment 5.0.2 package/test/fixtures/imdb.json package/test/fixtures/yelp.json \
  package/test/fixtures/amazon.json
npm_fetch "$CACHE" word2vec 1.1.5 package/examples/fixtures/vectors.txt
