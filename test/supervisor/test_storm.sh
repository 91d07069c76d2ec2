#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# Signal storms against supervised walks (storm_client.c): every element of
# the lookup and lookup-and-delete walks comes back exactly once, with and
# without SA_RESTART, from 8 threads, in a forked and in an exec'ed walker,
# and around a walker killed mid-walk. Every run's lines are printed: the
# front end, the signal counts and the supervisor's own (BPFBATCH_STATS).
#
# Each kernel runs in two settings, so that both of --via auto's answers
# without killable waits are stormed (supervisor/via.h):
#   5.4     auto without tracefs (hidden in a mount namespace): ptrace;
#           --via notify with the witness: notify, replays seen
#   5.10    auto with the witness: notify; auto without tracefs, and auto
#           --no-perf: ptrace
#   native  auto: notify with killable waits
#
# usage: test_storm.sh KERNEL STORM_CLIENT
#   KERNEL: X.Y for `run --kernel X.Y`, or "native" for plain `run`
#   BPFBATCH_TOOL from the env; STORM_RUNS runs per case (default 2)
set -uo pipefail
kernel=${1:?usage: test_storm.sh KERNEL STORM_CLIENT}
client=${2:?usage: test_storm.sh KERNEL STORM_CLIENT}
tool=${BPFBATCH_TOOL:?BPFBATCH_TOOL is not set (run through meson test)}
runs=${STORM_RUNS:-2}
kopt=()
[ "$kernel" = native ] || kopt=(--kernel "$kernel")

# A real container without tracefs (notracefs.sh), not a flag.
notracefs=("$(dirname "$0")/notracefs.sh")

# name|wrapper (notracefs or -)|the line run must print|run's options
k=${kopt[*]}
case $kernel in
  5.4)
    settings=("no-tracefs|notracefs|front end ptrace (auto): no pidfd_getfd|$k"
      "notify-witness|-|warning: --via notify is not exact here: no pidfd_getfd|$k --via notify") ;;
  native)
    settings=("auto|-|front end notify (auto): killable waits|") ;;
  *)
    settings=("witness|-|front end notify (auto): no killable waits, but a witness|$k"
      "no-tracefs|notracefs|front end ptrace (auto): no killable waits (5.19+) and no witness (no tracefs: ENOENT)|$k"
      "no-perf|-|front end ptrace (auto): no killable waits (5.19+) and no witness (perf_event_open: EACCES)|$k --no-perf") ;;
esac

cases=(
  "walk 200000 128"
  "walk 100000 128 norestart"
  "threads 100000 128"
  "fork 100000 128"
  "exec 100000 128"
  "killed 100000 128"
)
fails=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for s in "${settings[@]}"; do
  IFS='|' read -r name wrap want args <<<"$s"
  read -r -a opts <<<"$args"
  sup=("$tool" run "${opts[@]}" --)
  [ "$wrap" = notracefs ] && sup=("${notracefs[@]}" "${sup[@]}")
  for c in "${cases[@]}"; do
    for run in $(seq "$runs"); do
      echo "=== $kernel/$name: storm-client $c (run $run)"
      start=$(date +%s%N)
      # shellcheck disable=SC2086 # the case's words are meant to split
      env -u LD_PRELOAD BPFBATCH_STATS=1 "${sup[@]}" "$client" $c >"$out" 2>&1
      rc=$?
      grep -v '^bpfbatch: ' "$out" # the core's own totals: noise here
      echo "--- $(( ($(date +%s%N) - start) / 1000000 )) ms"
      if [ "$rc" -ne 0 ]; then
        echo "FAIL: storm-client $c, $kernel/$name: exit $rc"
        fails=$((fails + 1))
      elif ! grep -qF "bpfbatch run: $want" "$out"; then
        echo "FAIL: storm-client $c, $kernel/$name: want 'bpfbatch run: $want'"
        fails=$((fails + 1))
      elif [ "$wrap" = notracefs ] && ! grep -q "^bpfbatch run: listener: .*witness: ENOENT" "$out"; then
        echo "FAIL: storm-client $c, $kernel/$name: tracefs was not hidden"
        fails=$((fails + 1))
      fi
    done
  done
done
if [ "$fails" -ne 0 ]; then
  echo "$fails storm runs failed"
  exit 1
fi
echo "all storm runs ($kernel: ${settings[*]%%|*}): nothing lost, nothing duplicated"
