#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# Build bpfbatch (release, in its own build dir) and measure every path of the
# shim side by side; print one Markdown table and the machine it ran on.
# Needs root (BPF maps, seccomp), strace; valgrind optional.
#
#   sudo scripts/bench.sh            # seed table on 1,000,000 entries
#   sudo scripts/bench.sh --quick    # 100,000 entries, fewer repetitions
#
# Env: BENCH_ONLY=legacy measures and reports only the legacy loops
# (BPFBATCH_ACCEL, section 7), in BENCH_LEGACY_ROUNDS rounds (default 5);
# BENCH_ONLY=bulk only the bulk path (BPFBATCH_BULK, section 8), in
# BENCH_BULK_ROUNDS rounds (default 3, --quick 1) on BENCH_BULK_N entries
# (default N; simulated 4.14: BENCH_BULK_N414, default 100000, --quick
# 20000, see section 8) on the
# kernels in BENCH_BULK_KERNELS (default "5.4 4.14"); BENCH_ONLY=alt only
# the seed table's batch rows natively and via the shim, alternated in one
# process (BENCH_ALT_REPS pairs, default 5); BENCH_ONLY=supervisor only
# the supervisor against in-process emulation (section 6, BENCH_REPS
# alternated rounds);
# BENCH_LEGACY_SLOW=1 also times bcc's clear() unaccelerated at N
# (quadratic: minutes at 1M). BUILDDIR (default build-bench), BENCH_RAW (raw lines, default
# $BUILDDIR/bench-raw.txt), BENCH_REPS (timing repetitions, default 3),
# BENCH_N (entries of the seed table), BENCH_REPORT_ONLY=1 (no measuring:
# print the table from an existing BENCH_RAW).
# Every timing is the median of the repetitions; every ratio compares two
# things measured in the same run (in the same process where possible).
# The sections live in scripts/bench/ (core.sh: 1-5, supervisor.sh: 6,
# legacy.sh: 7, bulk.sh:
# 8; lib.sh: running a path, reading the raw lines back); this file sets up,
# measures what BENCH_ONLY asks and prints the tables.
set -euo pipefail
cd "$(dirname "$0")/.."

N=1000000
REPS=${BENCH_REPS:-3}
BULK_ROUNDS=3
BULK_N414=100000
LEGACY_ROUNDS=${BENCH_LEGACY_ROUNDS:-5}
FLOOR_REPS=5
case "${1:-}" in
--quick)
	N=100000
	FLOOR_REPS=3
	# the simulated 4.14's element path costs ~100 µs per element here
	BULK_ROUNDS=1
	BULK_N414=20000
	;;
"") ;;
*)
	echo "usage: $0 [--quick]" >&2
	exit 2
	;;
esac
N=${BENCH_N:-$N}
BULK_ROUNDS=${BENCH_BULK_ROUNDS:-$BULK_ROUNDS}
BULK_N414=${BENCH_BULK_N414:-$BULK_N414}
SMALL=10000 # strace, callgrind, abandoned iterations

builddir=${BUILDDIR:-build-bench}
case $builddir in /*) ;; *) builddir=$PWD/$builddir ;; esac
RAW=${BENCH_RAW:-$builddir/bench-raw.txt}
if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then
	measure=false
else
	measure=true
fi
if $measure; then
	[ -d "$builddir" ] ||
		meson setup "$builddir" --buildtype=release -Dwerror=true >/dev/null
	meson compile -C "$builddir" test/bench/bpfbatch-bench tools/bpfbatch \
		shim/bpfbatch:shared_library test/supervisor/bench-supervisor-overhead >/dev/null
fi

BENCH=$builddir/test/bench/bpfbatch-bench
TOOL=$builddir/tools/bpfbatch
SO=$builddir/shim/libbpfbatch.so
SUPBENCH=$builddir/test/supervisor/bench-supervisor-overhead
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The bulk path (section 8): the shim on simulated 5.4 and 4.14, the path on
# (its default) and off (BPFBATCH_BULK=0: the element path it replaces).
b54on() { "${PIN[@]}" "$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 "$BENCH" "$@"; }
b54off() { "${PIN[@]}" "$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 BPFBATCH_BULK=0 "$BENCH" "$@"; }
b414on() { "${PIN[@]}" "$TOOL" sim --kernel 4.14 -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 "$BENCH" "$@"; }
b414off() { "${PIN[@]}" "$TOOL" sim --kernel 4.14 -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 BPFBATCH_BULK=0 "$BENCH" "$@"; }
# PIN: a CPU affinity prefix (sections 7 and 8), empty elsewhere.
PIN=()
native() { "${PIN[@]}" "$BENCH" "$@"; }
shim() { env LD_PRELOAD="$SO" "$BENCH" "$@"; }
sim54() { "$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" "$BENCH" "$@"; }
# Legacy loops: acceleration on, and a 5.4 kernel with and without it.
accel() { "${PIN[@]}" env LD_PRELOAD="$SO" BPFBATCH_ACCEL=1 "$BENCH" "$@"; }
sim54plain() { "${PIN[@]}" "$TOOL" sim --kernel 5.4 -- "$BENCH" "$@"; }
sim54accel() { "${PIN[@]}" "$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" BPFBATCH_ACCEL=1 "$BENCH" "$@"; }

. scripts/bench/lib.sh
. scripts/bench/core.sh
. scripts/bench/supervisor.sh
. scripts/bench/legacy.sh
. scripts/bench/bulk.sh

if $measure; then
	: >"$RAW"
	case "${BENCH_ONLY:-}" in
	legacy) measure_legacy ;;
	bulk) measure_bulk ;;
	alt) measure_alt ;;
	supervisor) measure_supervisor ;;
	*)
		measure_all
		measure_bulk
		;;
	esac
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "Machine: Linux $(uname -r), ${cpu:-unknown CPU}, $(nproc) CPUs; $(date -u +%Y-%m-%d); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
case "${BENCH_ONLY:-}" in
legacy) report_legacy ;;
bulk) report_bulk ;;
alt) report_alt ;;
supervisor)
	echo "| area | measurement | native | in-process | supervisor | ratio | goal |"
	echo "|---|---|---|---|---|---|---|"
	report_supervisor
	;;
*)
	report_core
	report_bulk
	report_legacy
	;;
esac
echo
echo "Raw lines: $RAW"
