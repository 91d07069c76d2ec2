# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# shellcheck shell=bash
# Section 6 of scripts/bench.sh (sourced): the supervisor (bpfbatch run)
# against in-process emulation, both emulating (5.4), LOOKUP_BATCH over a
# 100k-entry hash; alternated. On 5.4 --via auto takes ptrace (no
# pidfd_getfd: tools/supervisor/via.h); notify, forced, is measured beside
# it. --kernel 5.4 puts a seccomp filter on the supervisor's own bpf()
# calls (two per element) that the in-process run does not have; the
# supervisor forced to emulate without it (BPFBATCH_MODE=emulate, this
# kernel: notify) shows what serving through another process costs by
# itself.

measure_supervisor() {
	local i
	for ((i = 0; i < REPS; i++)); do
		env LD_PRELOAD="$SO" BPFBATCH_MODE=emulate "$SUPBENCH" | sed 's/^/inproc /' >>"$RAW"
		"$TOOL" run --kernel 5.4 -- "$SUPBENCH" | sed 's/^/supervisor /' >>"$RAW"
		"$TOOL" run --kernel 5.4 --via notify -- "$SUPBENCH" 2>/dev/null |
			sed 's/^/supervisor-notify /' >>"$RAW"
		env BPFBATCH_MODE=emulate "$TOOL" run -- "$SUPBENCH" |
			sed 's/^/supervisor-nofilter /' >>"$RAW"
	done
}

# "batch   100: calls ... median     17.32 us/call ..." per run: the median of runs.
sup_median() { # where batch
	{ grep -E "^$1 batch +$2:" "$RAW" || true; } | sed -E 's/.*median +([0-9.]+) us\/call.*/\1/' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

report_supervisor() {
	local a b c d e w goal
	for b in 1 100 10000; do
		a=$(sup_median inproc $b)
		c=$(sup_median supervisor $b)
		e=$(sup_median supervisor-notify $b)
		d=$(sup_median supervisor-nofilter $b)
		[ -z "$a" ] && continue
		goal="—"
		[ "$b" = 10000 ] && goal="≤ 1.15"
		echo "| supervisor (--via auto: ptrace) vs in-process emulation (5.4), hash 100k | LOOKUP_BATCH of $b, µs per call (median) | — | $a | $c | $(div "$c" "$a") | $goal |"
		[ -n "$e" ] && echo "| supervisor (--via notify, forced) vs in-process emulation (5.4), hash 100k | LOOKUP_BATCH of $b, µs per call (median) | — | $a | $e | $(div "$e" "$a") | — |"
		[ -z "$d" ] && continue
		echo "| supervisor without the --kernel filter (BPFBATCH_MODE=emulate, notify) vs in-process | LOOKUP_BATCH of $b, µs per call (median) | — | $a | $d | $(div "$d" "$a") | — |"
	done
	a=$(sup_median inproc 1)
	for w in supervisor supervisor-notify; do
		c=$(sup_median $w 1)
		if [ -n "$a" ] && [ -n "$c" ]; then
			echo "| $w, fixed cost per call | LOOKUP_BATCH of 1: $w − in-process, µs | — | — | $(awk -v a="$a" -v c="$c" 'BEGIN { printf "%.1f", c - a }') | — | — |"
		fi
	done
}
