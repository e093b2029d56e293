#!/bin/bash
# The crash-safety test: a process that keeps rewriting a checkpoint and a model file is killed
# with SIGKILL at a random moment, TRIALS times; after every kill both files must load whole
# (the previous round or the new one, never a torn or missing file).
# Usage: kill_writer.sh CRASH_WRITER WORK_DIR [TRIALS]
set -u
BIN=$1 DIR=$2 TRIALS=${3:-100}
rm -rf "$DIR" && mkdir -p "$DIR" || exit 1
RANDOM=1234
rounds=""
for ((i = 1; i <= TRIALS; ++i)); do
  rm -f "$DIR/ready"
  "$BIN" write "$DIR" &
  pid=$!
  until [ -e "$DIR/ready" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "trial $i: the writer died on its own"; exit 1; }
    sleep 0.01
  done
  sleep "0.$(printf '%03d' $((RANDOM % 300)))"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  if ! out=$("$BIN" verify "$DIR"); then
    echo "trial $i: a file was lost or torn"
    exit 1
  fi
  round=${out%% *}
  rounds="$rounds ${round#checkpoint_round=}"
done
# How far the writer got when killed (the checkpoint round seen after each kill), and the
# temporary files that kills left behind (never read: each writer makes its own name).
left=$(find "$DIR" -name '*.tmp.*' | wc -l)
echo "$rounds" | tr ' ' '\n' | awk -v n="$TRIALS" -v left="$left" 'NF { r = $1 + 0; sum += r
  if (min == "" || r < min) min = r; if (r > max) max = r }
  END { printf "trials=%d all_loadable=1 checkpoint_rounds_min=%d max=%d mean=%.1f leftover_temporaries=%d\n",
    n, min, max, sum / n, left }'
