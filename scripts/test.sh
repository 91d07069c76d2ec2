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
set -e
# One line a person and CI can read, from meson's own log.
log="$builddir/meson-logs/testlog.json"
count() { grep -c "\"result\": \"$1\"" "$log" || true; }
ok=$(count OK); skip=$(count SKIP)
total=$(grep -c '"result"' "$log" || true)
failed=$((total - ok - skip))
line="$ok passed, $failed failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
exit $rc
