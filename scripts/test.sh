#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Build bpfbatch and run every test suite. Needs root (the tests create BPF
# maps and install seccomp filters). Usage: sudo scripts/test.sh [meson test args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
builddir=${BUILDDIR:-build-test}
if [ ! -d "$builddir" ]; then
  meson setup "$builddir" -Dwerror=true >/dev/null
fi
meson compile -C "$builddir"
set +e
meson test -C "$builddir" --print-errorlogs "$@"
rc=$?
logs=("$builddir/meson-logs/testlog.json")

# Sanitizers, on what runs in-process (an instrumented preload object could
# not be loaded into the uninstrumented programs the other suites run).
# SANITIZERS=0 skips them.
inproc=(test/unit/test-core test/unit/test-iter test/unit/test-tokens test/unit/test-lock test/unit/stress-threads
  test/accel/legacy-loops-inproc tools/bpfbatch)
sanitize() { # dir b_sanitize tests...
  local dir=$1 kind=$2
  shift 2
  [ -d "$dir" ] || meson setup "$dir" -Db_sanitize="$kind" -Db_lundef=false >/dev/null || return 1
  meson compile -C "$dir" "${inproc[@]}" >/dev/null || return 1
  LSAN_OPTIONS=suppressions=$PWD/test/lsan.supp UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$dir" --no-rebuild --print-errorlogs "$@"
}
if [ "$#" -eq 0 ] && [ "${SANITIZERS:-1}" != 0 ]; then
  sanitize "$builddir-asan" address,undefined core iteration tokens f-lock stress-threads \
    accel-inproc || rc=1
  logs+=("$builddir-asan/meson-logs/testlog.json")
  # Criterion's runner cannot start under TSan: the threaded cases have a
  # plain twin for it.
  sanitize "$builddir-tsan" thread stress-threads accel-inproc || rc=1
  logs+=("$builddir-tsan/meson-logs/testlog.json")
fi
set -e

# One line a person and CI can read, from meson's own logs.
ok=0 skip=0 total=0
for log in "${logs[@]}"; do
  [ -f "$log" ] || continue
  ok=$((ok + $(grep -c '"result": "OK"' "$log" || true)))
  skip=$((skip + $(grep -c '"result": "SKIP"' "$log" || true)))
  total=$((total + $(grep -c '"result"' "$log" || true)))
done
failed=$((total - ok - skip))
line="$ok passed, $failed failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
exit $rc
