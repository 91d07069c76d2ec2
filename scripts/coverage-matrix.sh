#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Print the coverage matrix: kernels {4.9 … 5.15, native} x map types x the
# four batch commands, each cell native (N) / emulated (E) / refused as the
# kernel refuses (R), measured by the `matrix` test, which checks every cell
# against this kernel's own answer. Needs root (BPF maps, seccomp filters).
#
# Usage: sudo scripts/coverage-matrix.sh      (BUILDDIR=dir to pick the build)
# Exit status: the test's (non-zero if any cell disagrees with the truth).
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" >/dev/null
fi
meson compile -C "$builddir" >/dev/null
table="$builddir/test/matrix/matrix.md"
rm -f "$table"
set +e
meson test -C "$builddir" --no-rebuild matrix >/dev/null
rc=$?
set -e
if [ ! -f "$table" ]; then
  echo "coverage-matrix: the test wrote no table; see $builddir/meson-logs/testlog.txt" >&2
  exit 1
fi
cat "$table"
if [ "$rc" -ne 0 ]; then
  echo "coverage-matrix: some cells disagree with the ground truth (listed above)" >&2
fi
exit "$rc"
