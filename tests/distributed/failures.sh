#!/bin/bash
# Bad use of data-parallel training ends with a clear error, never a hang (each run has a
# time limit): a start without mpirun, ranks whose programs differ, a rank killed mid-training;
# and a killed job resumed from its last backup.
# usage: failures.sh MPIEXEC DISTRIBUTED_DATA_PARALLEL
# SINTER_ASYNC_COLLECTIVES, if set, goes to every rank (1: the communication thread).
set -u
mpirun=("$1" --allow-run-as-root --oversubscribe --bind-to none -x OMP_NUM_THREADS=1
  -x SINTER_ASYNC_COLLECTIVES="${SINTER_ASYNC_COLLECTIVES:-}" -np 2)
program=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() {
  echo "FAILED: $1"
  cat "$out"
  exit 1
}
run() { # run a command with a time limit; its exit status in $rc, its output in $out
  timeout 120 "$@" >"$out" 2>&1
  rc=$?
  [ "$rc" != 124 ] || fail "$* hung (killed after 120 s)"
}

run "$program" keras
[ "$rc" = 1 ] && grep -q "rank 0: error: distributed: this process was not started by mpirun" "$out" ||
  fail "a start without mpirun: exit $rc"
echo "without mpirun: $(grep error "$out")"

run "${mpirun[@]}" "$program" mismatch
[ "$rc" != 0 ] || fail "ranks with different programs: exit 0"
for r in 0 1; do
  grep -q "rank $r: error: distributed: the ranks disagree on the program's variables" "$out" ||
    fail "ranks with different programs: no error on rank $r"
done
echo "mismatch: exit $rc; $(grep -m1 'rank 1: error' "$out")"

run "${mpirun[@]}" "$program" die
[ "$rc" != 0 ] || fail "a rank killed mid-training: exit 0"
grep -qi "signal 9\|killed" "$out" || fail "a rank killed mid-training: mpirun did not say so"
echo "a rank killed: exit $rc; $(grep -i -m1 'signal 9\|killed' "$out")"

backups=$(mktemp -d)
trap 'rm -rf "$out" "$backups"' EXIT
run "${mpirun[@]}" "$program" resume "$backups" kill
[ "$rc" != 0 ] || fail "the job to resume was not killed"
ls "$backups"/backup-epoch-*.ckpt >/dev/null 2>&1 || fail "no backup left by the killed job"
run "${mpirun[@]}" "$program" resume "$backups"
[ "$rc" = 0 ] || fail "the resumed job: exit $rc"
echo "a killed job resumed: $(grep -m1 'resumed' "$out")"
