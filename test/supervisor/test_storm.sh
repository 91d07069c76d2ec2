#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# Signal storms against supervised walks (storm_client.c): every element of
# the lookup and lookup-and-delete walks comes back exactly once, with and
# without SA_RESTART, from 8 threads, in a forked and in an exec'ed walker,
# and around a walker killed mid-walk. Every run's lines are printed, the
# signal counts and the supervisor's own (BPFBATCH_STATS) included.
#
# usage: test_storm.sh KERNEL STORM_CLIENT
#   KERNEL: X.Y for `run --kernel X.Y`, or "native" for plain `run`
#   BPFBATCH_TOOL from the env; STORM_RUNS runs per case (default 2)
set -uo pipefail
kernel=${1:?usage: test_storm.sh KERNEL STORM_CLIENT}
client=${2:?usage: test_storm.sh KERNEL STORM_CLIENT}
tool=${BPFBATCH_TOOL:?BPFBATCH_TOOL is not set (run through meson test)}
runs=${STORM_RUNS:-2}
if [ "$kernel" = native ]; then
  sup=("$tool" run --)
else
  sup=("$tool" run --kernel "$kernel" --)
fi

cases=(
  "walk 200000 128"
  "walk 100000 128 norestart"
  "threads 100000 128"
  "fork 100000 128"
  "exec 100000 128"
  "killed 100000 128"
)
fails=0
for c in "${cases[@]}"; do
  for run in $(seq "$runs"); do
    echo "=== ${sup[*]:1} storm-client $c (run $run)"
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # the case's words are meant to split
    env -u LD_PRELOAD BPFBATCH_STATS=1 "${sup[@]}" "$client" $c 2>&1 |
      grep -v '^bpfbatch: ' # the core's own totals: noise here
    rc=${PIPESTATUS[0]}
    echo "--- $(( ($(date +%s%N) - start) / 1000000 )) ms"
    if [ "$rc" -ne 0 ]; then
      echo "FAIL: storm-client $c under ${sup[*]:1}: exit $rc"
      fails=$((fails + 1))
    fi
  done
done
if [ "$fails" -ne 0 ]; then
  echo "$fails storm runs failed"
  exit 1
fi
echo "all storm runs: nothing lost, nothing duplicated"
