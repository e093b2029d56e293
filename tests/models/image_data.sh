#!/bin/sh
# image_data.sh DATA_DIR COMMAND [ARGS...]
# Runs a chapter-15 program through last_line.sh when the class-per-folder image set DATA_DIR
# was fetched (scripts/fetch-image-data.sh, run by scripts/build.sh); skips (77) otherwise.
set -u
if [ ! -d "$1" ]; then
  echo "SKIP: $1 not fetched (scripts/fetch-image-data.sh)"
  exit 77
fi
shift
exec sh "$(dirname "$0")/last_line.sh" "$@"
