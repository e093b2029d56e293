#!/bin/sh
# text_data.sh DEFAULT_DIR COMMAND [ARGS...]
# Runs `last_line.sh COMMAND ARGS --data-dir DIR` for a chapter-11 program on the npm sentiment
# sentences (and word vectors), DIR being $SINTER_TEXT_CACHE or else DEFAULT_DIR; exits 77
# (CTest's SKIP_RETURN_CODE) when they were not fetched there (scripts/fetch-text-data.sh), so
# that the tests need no network.
set -u
dir=${SINTER_TEXT_CACHE:-$1}
shift
if [ ! -d "$dir/sentiment-5.0.2" ]; then
  echo "SKIP: the sentiment sentences are not in '$dir' (run scripts/fetch-text-data.sh '$dir')"
  exit 77
fi
exec sh "$(dirname "$0")/last_line.sh" "$@" --data-dir "$dir"
