# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# shellcheck shell=bash
# scripts/bench.sh, section 7: legacy loops with BPFBATCH_ACCEL=1 (sourced).

# 7. Legacy loops (BPFBATCH_ACCEL=1), each run pinned to one CPU and taken in
# rounds, so that every ratio is a median of ratios of runs made side by
# side: bcc's items() (every element kept) against a native LOOKUP_BATCH(1000)
# dump that keeps every element too; a bpftool-style dump loop (buffers
# reused) against the plain dump; bcc's clear() at 100k natively and on 5.4,
# with and without acceleration, and one DELETE_ELEM per known key, the least
# any element-by-element clear can cost.
measure_legacy() {
	local cpu=$(($(nproc) - 1)) i
	if command -v taskset >/dev/null; then
		PIN=(taskset -c "$cpu")
	fi
	for ((i = 0; i < LEGACY_ROUNDS; i++)); do
		run native legacy --n "$N" --op dump --reps 1
		run accel legacy --n "$N" --op dumploop --reps 1
		run native legacy --n "$N" --op dumpall --reps 1
		run accel legacy --n "$N" --op items --reps 1
		run native legacy --n "$N" --op dumploop --reps 1
		run native legacy --n "$N" --op items --reps 1
		run native legacy --n 100000 --op clear --reps 1
		run accel legacy --n 100000 --op clear --reps 1
		run native legacy --n 100000 --op delfloor --reps 1
		run sim54plain legacy --n 100000 --op clear --reps 1
		run sim54accel legacy --n 100000 --op clear --reps 1
		run sim54plain legacy --n 100000 --op delfloor --reps 1
	done
	if [ "$N" != 100000 ]; then
		run accel legacy --n "$N" --op clear --reps 1
		run sim54accel legacy --n "$N" --op clear --reps 1
		if [ "${BENCH_LEGACY_SLOW:-0}" = 1 ]; then
			run native legacy --n "$N" --op clear --reps 1
			run sim54plain legacy --n "$N" --op clear --reps 1
		fi
	fi
	PIN=()
}

report_legacy() {
# Legacy loops: "<where> legacy type=hash op=OP n=N ... total_ms=T", one of
# each per round, in the same order in every round.
lg() { med "^$1 legacy .*op=$2 n=$3 " total_ms; }
lgs() { { grep -E -- "^$1 legacy .*op=$2 n=$3 " "$RAW" || true; } | tr ' ' '\n' | sed -n 's/^total_ms=//p'; }
# pair A-where A-op B-where B-op n: the median over rounds of A/B (runs made
# side by side), and how far the rounds spread, as "median (min–max)".
pair() {
	paste <(lgs "$1" "$2" "$5") <(lgs "$3" "$4" "$5") | awk '$1 != "" && $2 > 0 { print $1 / $2 }' |
		sort -g | awk '{ v[NR] = $1 } END {
			if (!NR) { print "—"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.2f (%.2f–%.2f)\n", m, v[1], v[NR] }'
}
rounds=$(lgs native dump "$N" | wc -l)
echo
echo "Legacy loops (BPFBATCH_ACCEL=1): $rounds rounds, pinned to one CPU; a ratio is the median (min–max) over rounds of the two runs made side by side."
echo
echo "| legacy loop | not accelerated | accelerated | native batch it is held to | accelerated ÷ native batch | speedup | goal |"
echo "|---|---|---|---|---|---|---|"
if [ -n "$(lg accel dumploop "$N")" ]; then
	p=$(pair accel dumploop native dump "$N")
	echo "| walk+lookup, hash $N: bpftool-style dump loop (get_next_key + lookup into two reused buffers) | $(ms "$(lg native dumploop "$N")") | $(ms "$(lg accel dumploop "$N")") | LOOKUP_BATCH(1000) into reused buffers: $(ms "$(lg native dump "$N")") | $p | $(pair native dumploop accel dumploop "$N")× | within 1.5× $(verdict "$(first "$p")" "<=" 1.5) |"
fi
if [ -n "$(lg accel items "$N")" ]; then
	p=$(pair accel items native dumpall "$N")
	echo "| walk+lookup, hash $N: bcc items() (every key and value kept) | $(ms "$(lg native items "$N")") | $(ms "$(lg accel items "$N")") | LOOKUP_BATCH(1000) keeping every element: $(ms "$(lg native dumpall "$N")") | $p | $(pair native items accel items "$N")× | within 1.5× $(verdict "$(first "$p")" "<=" 1.5) |"
fi
if [ -n "$(lg accel clear 100000)" ]; then
	s=$(pair native clear accel clear 100000)
	f=$(pair native clear native delfloor 100000)
	echo "| clear, hash 100000: bcc clear() (get_next_key of the key just deleted, then delete) | $(ms "$(lg native clear 100000)") | $(ms "$(lg accel clear 100000)") | one DELETE_ELEM per known key (the floor): $(ms "$(lg native delfloor 100000)") | $(pair accel clear native delfloor 100000) × the floor | $s×; the floor itself: $f× | ≥ 20× $(verdict "$(first "$s")" ">=" 20) |"
fi
if [ -n "$(lg sim54accel clear 100000)" ]; then
	s=$(pair sim54plain clear sim54accel clear 100000)
	f=$(pair sim54plain clear sim54plain delfloor 100000)
	echo "| clear, hash 100000, sim 5.4 (no LOOKUP_BATCH: get_next_key + delete per key) | $(ms "$(lg sim54plain clear 100000)") | $(ms "$(lg sim54accel clear 100000)") | the floor on 5.4: $(ms "$(lg sim54plain delfloor 100000)") | $(pair sim54accel clear sim54plain delfloor 100000) × the floor | $s×; the floor itself: $f× | ≥ 20× $(verdict "$(first "$s")" ">=" 20) |"
fi
if [ "$N" != 100000 ] && [ -n "$(lg accel clear "$N")" ]; then
	a=$(lg native clear "$N") b=$(lg accel clear "$N") c=$(lg sim54plain clear "$N") e=$(lg sim54accel clear "$N")
	echo "| clear, hash $N (one run each; not accelerated only with BENCH_LEGACY_SLOW=1) | $(ms "$a"); sim 5.4: $(ms "$c") | $(ms "$b"); sim 5.4: $(ms "$e") | — | — | $(div "$a" "$b" %.1f)×; sim 5.4: $(div "$c" "$e" %.1f)× | — |"
fi
}
