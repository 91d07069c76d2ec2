#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# The static Go (cilium/ebpf) batch client, built here rather than at
# configure time so that installing Go later needs no reconfigure, and so
# that a machine without Go skips (77) instead of failing the build:
#   native                    passes, transcript T
#   bpfbatch sim --kernel 5.4 fails: cilium/ebpf finds no batch API
#   bpfbatch run --kernel 5.4 passes, transcript T (emulated)
#   bpfbatch run              passes, transcript T (served natively)
#   bpfbatch run --via ptrace passes, transcript T (natively and emulated)
#   bpfbatch run --kernel 4.19, 4.14, 4.9: passes, transcript T (ptrace)
# and then signal storms (see below).
#
# usage: test_go_client.sh OUTPUT_BINARY   (BPFBATCH_TOOL from the env)
set -uo pipefail
bin=${1:?usage: test_go_client.sh OUTPUT_BINARY}
tool=${BPFBATCH_TOOL:?BPFBATCH_TOOL is not set (run through meson test)}
here=$(cd "$(dirname "$0")" && pwd)

"$here/build.sh" "$bin"
rc=$?
if [ "$rc" -ne 0 ]; then
  exit "$rc" # 77 (no Go, no cilium sources) is meson's skip
fi
# Static is the point: a dynamic binary would be reachable by LD_PRELOAD.
if readelf -l "$bin" 2>/dev/null | grep -q INTERP; then
  echo "FAIL: $bin is not static" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# name, then the command; leaves stdout/stderr in $tmp/name.{out,err}
run() {
  local name=$1
  shift
  env -u LD_PRELOAD "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.rc"
}
report() {
  echo "FAIL: $1" >&2
  for f in "$tmp/$2".out "$tmp/$2".err; do
    echo "--- ${f##*/}" >&2
    cat "$f" >&2
  done
  fails=$((fails + 1))
}

run native "$bin"
if [ "$(cat "$tmp/native.rc")" != 0 ] || ! tail -n 1 "$tmp/native.out" | grep -qx ok; then
  report "native run failed (exit $(cat "$tmp/native.rc"))" native
  exit 1 # nothing to compare against
fi

# cilium/ebpf probes the batch API once (a 2-element BatchUpdate on a hash);
# on the simulated 5.4 that probe gets EINVAL and every Batch* call returns
# ErrNotSupported, which the client reports with exit 2.
run sim "$tool" sim --kernel 5.4 -- "$bin"
if [ "$(cat "$tmp/sim.rc")" != 2 ] || ! grep -q "^batch API unsupported" "$tmp/sim.out"; then
  report "under sim --kernel 5.4: want exit 2 and 'batch API unsupported', got exit $(cat "$tmp/sim.rc")" sim
fi

for mode in "run54:run --kernel 5.4" "run:run" "ptrace:run --via ptrace" \
  "ptrace-emu:env BPFBATCH_MODE=emulate $tool run --via ptrace" \
  "run419:run --kernel 4.19" "run414:run --kernel 4.14" "run49:run --kernel 4.9"; do
  name=${mode%%:*}
  cmd=${mode#*:}
  [ "${cmd%% *}" = env ] || cmd="$tool $cmd"
  # shellcheck disable=SC2086 # the command's words are meant to split
  run "$name" $cmd -- "$bin"
  if [ "$(cat "$tmp/$name.rc")" != 0 ]; then
    report "under bpfbatch ${mode#*:}: exit $(cat "$tmp/$name.rc")" "$name"
  elif ! diff -u "$tmp/native.out" "$tmp/$name.out" >"$tmp/$name.diff"; then
    cat "$tmp/$name.diff" >&2
    report "under bpfbatch ${mode#*:}: transcript differs from native" "$name"
  fi
done

# Go's preemption signals (and a storm of SIGUSR1) hit threads while the
# supervisor serves their calls: none may be served twice or lost. Without
# killable waits (5.4, 5.10) the kernel takes such calls back; the storm
# walks a 100k-entry map twice per kernel and prints the signals seen and
# the front end. --via auto takes ptrace on 5.4 (no pidfd_getfd) and where
# no witness can be opened (no tracefs: notracefs.sh; --no-perf), notify
# with the witness on 5.10; notify on 5.4 is also stormed, forced.
notracefs="$here/../notracefs.sh"
for mode in "sig54:run --kernel 5.4" "sig54nt:$notracefs $tool run --kernel 5.4" \
  "sig54n:run --kernel 5.4 --via notify" "sig510:run --kernel 5.10" \
  "sig510np:run --kernel 5.10 --no-perf" "sig:run" \
  "sig-ptrace:run --via ptrace" "sig49:run --kernel 4.9"; do
  name=${mode%%:*}
  cmd=${mode#*:}
  [ "${cmd%% *}" = run ] && cmd="$tool $cmd"
  # shellcheck disable=SC2086
  run "$name" $cmd -- "$bin" signals
  if [ "$(cat "$tmp/$name.rc")" != 0 ] || ! grep -q "lost=0 dups=0 badvals=0 errors=0 update-errors=0" "$tmp/$name.out"; then
    report "signals under bpfbatch ${mode#*:}: exit $(cat "$tmp/$name.rc")" "$name"
  fi
  for i in 1 2; do
    # shellcheck disable=SC2086
    BPFBATCH_STATS=1 run "storm$name$i" $cmd -- "$bin" storm 100000
    echo "--- storm under bpfbatch ${mode#*:} (run $i)"
    cat "$tmp/storm$name$i.out"
    grep '^bpfbatch run' "$tmp/storm$name$i.err"
    if [ "$(cat "$tmp/storm$name$i.rc")" != 0 ]; then
      report "storm under bpfbatch ${mode#*:}: exit $(cat "$tmp/storm$name$i.rc")" "storm$name$i"
    fi
    case $name in
      sig54 | sig54nt | sig510np) want="front end ptrace (auto)" ;;
      sig510) want="front end notify (auto)" ;;
      *) want="" ;;
    esac
    if [ -n "$want" ] && ! grep -qF "bpfbatch run: $want" "$tmp/storm$name$i.err"; then
      report "storm under bpfbatch ${mode#*:}: want '$want'" "storm$name$i"
    fi
    if [ "$name" = sig54nt ] && ! grep -q "^bpfbatch run: listener: .*witness: ENOENT" "$tmp/storm$name$i.err"; then
      report "storm under bpfbatch ${mode#*:}: tracefs was not hidden" "storm$name$i"
    fi
  done
done

if [ "$fails" -ne 0 ]; then
  exit 1
fi
echo "go client: native, sim 5.4 (refused), run (notify and ptrace, 5.4 to 4.9) agree"
cat "$tmp/native.out"
