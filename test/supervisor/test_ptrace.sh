#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# The ptrace front end of `bpfbatch run` (issue 14):
#   - on simulated 4.19, 4.14 and 4.9 (no user notification: ptrace is
#     chosen; below 4.16 the target's fds come by SCM_RIGHTS from the
#     stopped thread), the static client answers exactly as the same client
#     built dynamically does with the preloaded shim under `bpfbatch sim` on
#     that kernel: every command on five map types, and 100k-element walks
#     under a signal storm with threads, fork and exec;
#   - `--via ptrace` on this kernel, natively and with BPFBATCH_MODE=emulate,
#     gives the native answers;
#   - the target has a tracer and no seccomp listener exists; exit status
#     passes through; the target dies with the supervisor.
#
# usage: test_ptrace.sh STATIC_CLIENT DYNAMIC_CLIENT OLD_STATIC_CLIENT
# (BPFBATCH_TOOL and BPFBATCH_SO from the environment)
set -uo pipefail
static=${1:?usage: test_ptrace.sh STATIC DYNAMIC OLD_STATIC}
dynamic=${2:?}
old=${3:?}
tool=${BPFBATCH_TOOL:?run through meson test}
so=${BPFBATCH_SO:?run through meson test}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
  echo "FAIL: $*" >&2
  fails=$((fails + 1))
}

# same NAME REFERENCE-CMD... :: CMD...: both exit 0 and print the same
same() {
  local name=$1 ref=() cmd=()
  shift
  while [ "$1" != :: ]; do ref+=("$1"); shift; done
  shift
  cmd=("$@")
  env -u LD_PRELOAD "${ref[@]}" >"$tmp/ref" 2>"$tmp/ref.err"
  local rr=$?
  env -u LD_PRELOAD "${cmd[@]}" >"$tmp/out" 2>"$tmp/out.err"
  local rc=$?
  if [ "$rr" != 0 ] || [ "$rc" != 0 ] || ! diff -u "$tmp/ref" "$tmp/out" >"$tmp/diff"; then
    fail "$name: reference exit $rr, run exit $rc"
    cat "$tmp/diff" "$tmp/ref.err" "$tmp/out.err" | head -40 >&2
  else
    echo "ok: $name ($(wc -l <"$tmp/out") lines, at ${SECONDS}s)"
  fi
}

# Walks print only totals and checks: the same text on every kernel, so the
# reference is the client on this one (the simulated preloaded run would
# take a minute).
for k in 4.19 4.14 4.9; do
  same "run --kernel $k types" \
    "$tool" sim --kernel "$k" -- env LD_PRELOAD="$so" "$dynamic" types :: \
    "$tool" run --kernel "$k" -- "$static" types
  same "run --kernel $k walk" "$dynamic" walk :: "$tool" run --kernel "$k" -- "$static" walk
  out=$("$tool" run --kernel "$k" -- "$static" tracer 2>&1)
  [ "$out" = "tracer=yes listeners=0" ] || fail "run --kernel $k tracer: $out"
done

# The preloaded shim is the reference here too: it also serves what this
# kernel refuses (LOOKUP_AND_DELETE on an LPM trie).
# (Emulated walks ran above, on the simulated kernels.)
for mode in types walk; do
  same "run --via ptrace $mode" env LD_PRELOAD="$so" "$dynamic" "$mode" :: \
    "$tool" run --via ptrace -- "$static" "$mode"
done
same "run --via ptrace types, emulated" \
  env BPFBATCH_MODE=emulate LD_PRELOAD="$so" "$dynamic" types :: \
  env BPFBATCH_MODE=emulate "$tool" run --via ptrace -- "$static" types
# The suite the notify front end passes, through ptrace, and with the fds
# taken as below 4.16 (threads: the 4.9 walk above).
for mode in basic efault threads fork forkexec die; do
  same "run --via ptrace $mode" "$old" "$mode" :: "$tool" run --via ptrace -- "$old" "$mode"
  [ "$mode" = threads ] && continue
  same "run --via ptrace $mode, fd by SCM_RIGHTS" "$old" "$mode" :: \
    env BPFBATCH_SUPERVISOR_GETFD=take BPFBATCH_MODE=emulate \
    "$tool" run --via ptrace -- "$old" "$mode"
done

"$tool" run --via ptrace -- /bin/sh -c 'exit 7'
[ $? = 7 ] || fail "exit status not passed through"
"$tool" run --via ptrace -- /bin/sh -c 'kill -TERM $$'
[ $? = 143 ] || fail "death by signal not passed through"
"$tool" run --via notify --kernel 4.19 -- /bin/true 2>"$tmp/err"
[ $? = 2 ] && grep -q "no seccomp user notification" "$tmp/err" || fail "--via notify on 4.19 accepted"

# The target dies with the supervisor (PTRACE_O_EXITKILL).
"$tool" run --via ptrace -- /bin/sleep 300 &
sup=$!
for _ in $(seq 50); do
  target=$(pgrep -P "$sup" sleep) && break
  sleep 0.1
done
kill -KILL "$sup"
wait "$sup" 2>/dev/null
for _ in $(seq 50); do
  kill -0 "$target" 2>/dev/null || break
  sleep 0.1
done
if [ -z "${target:-}" ] || kill -0 "$target" 2>/dev/null; then
  fail "the target outlived its supervisor"
else
  echo "ok: the target died with the supervisor"
fi

[ "$fails" = 0 ] || exit 1
echo "ptrace front end: all checks passed"
