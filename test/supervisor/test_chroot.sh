#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# bpfbatch-static runs from an empty root: a chroot holding nothing but the
# binary and a static client (no libc, no /proc, no /sys, no /tmp), where it
# serves the client with either front end, as in a scratch image.
#
# usage: test_chroot.sh BPFBATCH_STATIC STATIC_CLIENT
set -uo pipefail
tool=${1:?usage: test_chroot.sh BPFBATCH_STATIC STATIC_CLIENT}
client=${2:?}
if [ "$(id -u)" != 0 ]; then
  echo "chroot needs root" >&2
  exit 77
fi
if readelf -l "$tool" 2>/dev/null | grep -q INTERP; then
  echo "FAIL: $tool is not static" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
cp "$tool" "$root/bpfbatch"
cp "$client" "$root/client"
echo "root: $(cd "$root" && ls)"

want=$(env -u LD_PRELOAD "$client" basic) || exit 1
fails=0
# Emulated, so the core runs; 4.14: ptrace, no pidfds, and no /proc for the
# fdinfo, so the fds come by SCM_RIGHTS. (Below 4.13 the map facts exist
# only in /proc/self/fdinfo: there the supervisor needs /proc.)
for how in "--via notify" "--via ptrace" "--kernel 4.14"; do
  # shellcheck disable=SC2086 # the option words are meant to split
  got=$(env -u LD_PRELOAD BPFBATCH_MODE=emulate chroot "$root" /bpfbatch run $how -- /client basic)
  rc=$?
  if [ "$rc" != 0 ] || [ "$got" != "$want" ]; then
    echo "FAIL: run $how in the empty root: exit $rc" >&2
    diff <(echo "$want") <(echo "$got") | head -20 >&2
    fails=$((fails + 1))
  else
    echo "ok: run $how serves the client from an empty root (emulated)"
  fi
done
exit $((fails != 0))
