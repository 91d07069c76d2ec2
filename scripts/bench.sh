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
# BENCH_BULK_ROUNDS rounds (default 3) on BENCH_BULK_N entries (default N;
# simulated 4.14: BENCH_BULK_N414, default 100000, see section 8);
# BENCH_ONLY=supervisor only the supervisor against in-process emulation
# (section 6, BENCH_REPS alternated rounds);
# BENCH_LEGACY_SLOW=1 also times bcc's clear() unaccelerated at N
# (quadratic: minutes at 1M). BUILDDIR (default build-bench), BENCH_RAW (raw lines, default
# $BUILDDIR/bench-raw.txt), BENCH_REPS (timing repetitions, default 3),
# BENCH_N (entries of the seed table), BENCH_REPORT_ONLY=1 (no measuring:
# print the table from an existing BENCH_RAW).
# Every timing is the median of the repetitions; every ratio compares two
# things measured in the same run (in the same process where possible).
set -euo pipefail
cd "$(dirname "$0")/.."

N=1000000
REPS=${BENCH_REPS:-3}
LEGACY_ROUNDS=${BENCH_LEGACY_ROUNDS:-5}
FLOOR_REPS=5
case "${1:-}" in
--quick)
	N=100000
	FLOOR_REPS=3
	;;
"") ;;
*)
	echo "usage: $0 [--quick]" >&2
	exit 2
	;;
esac
N=${BENCH_N:-$N}
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
b54on() { "$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 "$BENCH" "$@"; }
b54off() { "$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 BPFBATCH_BULK=0 "$BENCH" "$@"; }
b414on() { "$TOOL" sim --kernel 4.14 -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 "$BENCH" "$@"; }
b414off() { "$TOOL" sim --kernel 4.14 -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 BPFBATCH_BULK=0 "$BENCH" "$@"; }
# PIN: a CPU affinity prefix (section 7), empty elsewhere.
PIN=()
native() { "${PIN[@]}" "$BENCH" "$@"; }
shim() { env LD_PRELOAD="$SO" "$BENCH" "$@"; }
sim54() { "$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" "$BENCH" "$@"; }
# Legacy loops: acceleration on, and a 5.4 kernel with and without it.
accel() { "${PIN[@]}" env LD_PRELOAD="$SO" BPFBATCH_ACCEL=1 "$BENCH" "$@"; }
sim54plain() { "${PIN[@]}" "$TOOL" sim --kernel 5.4 -- "$BENCH" "$@"; }
sim54accel() { "${PIN[@]}" "$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" BPFBATCH_ACCEL=1 "$BENCH" "$@"; }
# Tag each output line with where it ran; the shim's BPFBATCH_STATS lines
# (stderr) too, as "WHERE stats ...".
run() {
	local where=$1
	shift
	echo "# $where: $*" >&2
	"$where" "$@" 2>"$TMP/stderr" | sed "s/^/$where /" >>"$RAW"
	{ grep '^bpfbatch' "$TMP/stderr" || true; } | sed "s/^/$where stats /" >>"$RAW"
	{ grep -v '^bpfbatch' "$TMP/stderr" || true; } >&2
}

# 6. The supervisor (bpfbatch run) against in-process emulation, both
# emulating (5.4), LOOKUP_BATCH over a 100k-entry hash; alternated. On 5.4
# --via auto takes ptrace (no pidfd_getfd: supervisor/via.h); notify,
# forced, is measured beside it. --kernel 5.4 puts a seccomp filter on the
# supervisor's own bpf() calls (two per element) that the in-process run
# does not have; the supervisor forced to emulate without it
# (BPFBATCH_MODE=emulate, this kernel: notify) shows what serving through
# another process costs by itself.
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

measure_all() {
	# 1. The seed's table: the same program on the three paths, one repetition
	# of each in turn, so that a slow spell of the machine hits all three.
	for ((i = 0; i < REPS; i++)); do
		run native table --n "$N" --reps 1
		run shim table --n "$N" --reps 1 --skip loop,loop3,walk
		run sim54 table --n "$N" --reps 1 --skip loop3,walk
	done
	# ... and the batch rows through glibc's syscall() and the shim's,
	# alternated in one process as the pass-through rows are: separate
	# processes minutes apart see different machines.
	run shim alt --n "$N" --reps 5

	# 2. Pass-through, in one process: glibc's syscall() vs the interposed one,
	# alternated in 101 blocks (without the shim both are glibc's: the noise).
	run shim passthrough --n 1000 --iters 20000 --reps 101
	run native passthrough --n 1000 --iters 20000 --reps 101
	# ... and one LOOKUP_BATCH of the whole N-entry map per block.
	run shim passthrough --n "$N" --iters 20000 --reps 11

	# 3. Emulation at the floor: batch of 1000 vs the best loop, alternated on
	# the same map (the seed table gives the same ratio at N).
	run sim54 floor --type hash --n 100000 --reps "$FLOOR_REPS"
	run sim54 floor --type percpu_hash --n 100000 --reps "$FLOOR_REPS"
	run sim54 floor --type array --n 100000 --reps "$FLOOR_REPS"

	# bpf syscalls per element, between the two getppid() markers.
	count_syscalls() { # type op variant
		strace -f -qq -e trace=bpf,getppid -o "$TMP/st" \
			"$TOOL" sim --kernel 5.4 -- env LD_PRELOAD="$SO" \
			"$BENCH" count --type "$1" --op "$2" --variant "$3" --n $SMALL --batch 1000 \
			>/dev/null
		awk -v t="$1" -v o="$2" -v v="$3" -v n=$SMALL '
			/getppid/ { m++; next }
			m == 1 && /bpf\(/ { c++ }
			END { printf "sim54 syscalls type=%s op=%s variant=%s n=%d calls=%d per_elem=%.3f\n",
				t, o, v, n, c, c / n }' "$TMP/st" >>"$RAW"
	}
	if command -v strace >/dev/null; then
		for t in hash percpu_hash; do
			for ov in lookup:batch lookup:loop lookup_and_delete:batch \
				lookup_and_delete:loop update:batch update:loop delete:batch delete:loop; do
				count_syscalls $t "${ov%%:*}" "${ov##*:}"
			done
		done
		for ov in lookup:batch lookup:loop update:batch update:loop; do
			count_syscalls array "${ov%%:*}" "${ov##*:}"
		done
	fi

	# User-space instructions per element (callgrind counts only user space).
	count_instr() { # type op variant
		BPFBATCH_MODE=emulate LD_PRELOAD="$SO" valgrind --tool=callgrind \
			--collect-atstart=no --toggle-collect=bench_region \
			--callgrind-out-file="$TMP/cg" "$BENCH" count --type "$1" --op "$2" \
			--variant "$3" --n $SMALL --batch 1000 >/dev/null 2>&1
		awk -v t="$1" -v o="$2" -v v="$3" -v n=$SMALL '
			/^totals:/ { printf "emulate instr type=%s op=%s variant=%s n=%d ir=%d per_elem=%.0f\n",
				t, o, v, n, $2, $2 / n }' "$TMP/cg" >>"$RAW"
	}
	if command -v valgrind >/dev/null; then
		for ov in lookup:batch lookup:loop lookup_and_delete:batch lookup_and_delete:loop \
			update:batch update:loop delete:batch delete:loop; do
			count_instr hash "${ov%%:*}" "${ov##*:}"
		done
		count_instr array lookup batch
		count_instr array lookup loop
		for op in getpid lookup_elem; do
			for v in direct shim; do
				LD_PRELOAD="$SO" valgrind --tool=callgrind --collect-atstart=no \
					--toggle-collect=bench_pt_region --callgrind-out-file="$TMP/cg" \
					"$BENCH" ptcount --op $op --variant $v --iters 10000 >/dev/null 2>&1
				awk -v o=$op -v v=$v '/^totals:/ {
					printf "shim ptinstr op=%s variant=%s ir=%d per_call=%.1f\n", o, v, $2, $2 / 10000 }' \
					"$TMP/cg" >>"$RAW"
			done
		done
	fi

	# 5. Scaling: 10k, 100k, N in turn in one process.
	run sim54 scale --n "$N" --reps "$REPS"

	# 4. Memory: a whole walk of N entries, and abandoned iterations.
	for ks in 16 64; do
		run native mem --n "$N" --ks $ks --batch 1000
		run sim54 mem --n "$N" --ks $ks --batch 1000
	done
	run sim54 abandon --n $SMALL --ks 16 --batch 100 --count 10000

	measure_supervisor

	measure_legacy
}

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
# 8. The bulk path (BPFBATCH_BULK): every command at batch 100, 1000 and N
# on a hash and an array map, in rounds; each round runs, side by side, this
# kernel's native batch commands and the shim on simulated 5.4 and 4.14 with
# the path on and off, so every ratio is a median of ratios of runs made
# together. The simulator serves 4.14's GET_NEXT_KEY, LOOKUP_ELEM and
# UPDATE_ELEM through its user-notify helper (their argument rules changed in
# 4.16 and 5.1), which costs it far more per call than a real 4.14 would:
# at N = 1,000,000 one element-path lookup round takes tens of minutes
# there, so 4.14 runs on BENCH_BULK_N414 entries. Then bpf syscalls per
# element (strace), with the path on and off.
measure_bulk() {
	local n=${BENCH_BULK_N:-$N} n414=${BENCH_BULK_N414:-100000} i t
	for ((i = 0; i < ${BENCH_BULK_ROUNDS:-3}; i++)); do
		for t in hash array; do
			run native bulk --type $t --n "$n"
			run b54on bulk --type $t --n "$n"
			run b54off bulk --type $t --n "$n"
			[ "$n414" != "$n" ] && run native bulk --type $t --n "$n414"
			run b414on bulk --type $t --n "$n414"
			run b414off bulk --type $t --n "$n414"
		done
		run b54on callcost --iters 20000
		run b414on callcost --iters 2000
	done
	if command -v strace >/dev/null; then
		local k b ov bs
		for k in 5.4 4.14; do
			for b in on off; do
				for ov in hash:lookup hash:lookup_and_delete hash:update hash:delete \
					array:lookup array:update; do
					for bs in 100 1000; do
						count_bulk_syscalls "$k" "$b" "${ov%%:*}" "${ov##*:}" "$bs"
					done
				done
			done
		done
	fi
}
count_bulk_syscalls() { # kernel on|off type op batch
	local off=()
	[ "$2" = off ] && off=(BPFBATCH_BULK=0)
	strace -f -qq -e trace=bpf,getppid -o "$TMP/st" \
		"$TOOL" sim --kernel "$1" -- env LD_PRELOAD="$SO" "${off[@]}" \
		"$BENCH" count --type "$3" --op "$4" --variant batch --n $SMALL --batch "$5" \
		>/dev/null
	awk -v k="$1" -v b="$2" -v t="$3" -v o="$4" -v bs="$5" -v n=$SMALL '
		/getppid/ { m++; next }
		m == 1 && /bpf\(/ { c++ }
		END { printf "bulksys kernel=%s bulk=%s type=%s op=%s batch=%s n=%d calls=%d per_elem=%.3f\n",
			k, b, t, o, bs, n, c, c / n }' "$TMP/st" >>"$RAW"
}

if $measure; then
	: >"$RAW"
	case "${BENCH_ONLY:-}" in
	legacy) measure_legacy ;;
	bulk) measure_bulk ;;
	supervisor) measure_supervisor ;;
	*)
		measure_all
		measure_bulk
		;;
	esac
fi

# ---------------------------------------------------------------- the table
# field FILE-LINE KEY: the value of KEY=... in a raw line
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
first() { echo "${1%% *}"; }
# line PATTERN: the first raw line matching an extended regex
line() { grep -E -- "$1" "$RAW" | head -1 || true; }
get() { # PATTERN KEY
	local l
	l=$(line "$1")
	[ -n "$l" ] && field "$l" "$2" || echo ""
}
# med PATTERN KEY: the median of KEY over all matching raw lines
med() {
	{ grep -E -- "$1" "$RAW" || true; } | tr ' ' '\n' | sed -n "s/^$2=//p" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" \
	'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "—"; else printf f, a / b }'; }
ms() { [ -n "$1" ] && printf "%s ms" "$1" || echo "—"; }
# verdict VALUE OP LIMIT: ✓ / ✗
verdict() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
	if (v == "" || v == "—") { print "?"; exit }
	ok = (op == "<=") ? (v <= l) : (op == ">=") ? (v >= l) : (v >= l - 0.05 && v <= l + 0.05)
	print ok ? "✓" : "✗" }'; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "Machine: Linux $(uname -r), ${cpu:-unknown CPU}, $(nproc) CPUs; $(date -u +%Y-%m-%d)."

report_core() {
echo "N = $N; timings are medians of $REPS runs (floor: $FLOOR_REPS alternated pairs)."
echo
echo "| area | measurement | native | via shim, native mode | via shim, sim 5.4 (emulated) | ratio | goal |"
echo "|---|---|---|---|---|---|---|"
for op in lookup lookup_and_delete delete update; do
	for spec in batch:10 batch:1000 batch:$N loop: loop3: walk:; do
		v=${spec%%:*} bs=${spec##*:}
		if [ "$v" = batch ]; then
			pat="op=$op variant=batch batch=$bs "
			what="batch $bs"
			[ "$bs" = "$N" ] && what="batch N"
		else
			pat="op=$op variant=$v "
		fi
		a=$(med "^native table .*$pat" total_ms)
		[ -z "$a" ] && continue
		b=$(med "^shim table .*$pat" total_ms)
		c=$(med "^sim54 table .*$pat" total_ms)
		case "$op/$v" in
		lookup/loop) what="no batch: get_next_key + lookup" ;;
		lookup_and_delete/loop) what="no batch: get_next_key + lookup_and_delete_elem (lookup + delete where the kernel lacks it)" ;;
		*/loop3) what="no batch: get_next_key + lookup + delete" ;;
		*/walk) what="no batch: get_next_key + delete" ;;
		delete/loop) what="no batch: delete_elem per key" ;;
		update/loop) what="no batch: update_elem per key" ;;
		esac
		sn=$(div "$b" "$a")
		if [ "$v" = batch ]; then
			alt=$(get "^shim alt type=hash op=$op batch=$bs n=$N " ratio)
			[ -n "$alt" ] && sn="$alt alternated in one process (separate medians: $sn)"
		fi
		echo "| seed table, hash, $op | $what | $(ms "$a") | $(ms "$b") | $(ms "$c") | shim/native $sn; sim/native $(div "$c" "$a" %.1f) | — |"
	done
done

for call in getpid lookup_elem lookup_batch lookup_batch_n; do
	pat="call=$call "
	[ $call = lookup_batch ] && pat="call=lookup_batch n=1000 "
	[ $call = lookup_batch_n ] && pat="call=lookup_batch n=$N "
	l=$(line "^shim passthrough $pat")
	[ -z "$l" ] && continue
	l0=$(line "^native passthrough $pat")
	r=$(field "$l" ratio)
	case $call in
	getpid) what="syscall(SYS_getpid), ns/call" goal="≤ 1.02" lim=1.02 ;;
	lookup_elem) what="bpf LOOKUP_ELEM (array), ns/call" goal="≤ 1.02" lim=1.02 ;;
	lookup_batch) what="native LOOKUP_BATCH of 1000, ns/call" goal="≤ 1.01" lim=1.01 ;;
	lookup_batch_n) what="native LOOKUP_BATCH of all $N, ns/call" goal="≤ 1.01" lim=1.01 ;;
	esac
	noise=$(field "$l0" ratio)
	echo "| pass-through (in-process, alternated) | $what | $(field "$l" direct_ns) | $(field "$l" shim_ns) | — | $r (noise, no shim: ${noise:-not run}) | $goal $(verdict "$r" "<=" "$lim") |"
done

for t in hash percpu_hash array; do
	for op in lookup lookup_and_delete update delete; do
		for l in $(grep -E "^sim54 floor type=$t op=$op " "$RAW" | tr ' ' '~'); do
			l=${l//\~/ }
			n=$(field "$l" n)
			r=$(field "$l" ratio)
			echo "| floor, $t, n=$n | emulated $op batch 1000 vs best loop, ns/elem | — | — | $(field "$l" batch_ns) vs $(field "$l" loop_ns) | $r | ≤ 1.05 $(verdict "$r" "<=" 1.05) |"
		done
	done
done

for op in lookup lookup_and_delete update delete; do
	b=$(med "^sim54 table .*op=$op variant=batch batch=1000 " ns_per_elem)
	l=$(med "^sim54 table .*op=$op variant=loop " ns_per_elem)
	r=$(div "$b" "$l")
	echo "| floor, hash, n=$N (seed table) | emulated $op batch 1000 vs best loop, ns/elem | — | — | $b vs $l | $r | ≤ 1.05 $(verdict "$r" "<=" 1.05) |"
done

for t in hash percpu_hash array; do
	for op in lookup lookup_and_delete update delete; do
		pb=$(get "^sim54 syscalls type=$t op=$op variant=batch " per_elem)
		[ -z "$pb" ] && continue
		pl=$(get "^sim54 syscalls type=$t op=$op variant=loop " per_elem)
		case $t/$op in
		array/lookup) goal=1 ;;
		*/lookup) goal=2 ;;
		*/lookup_and_delete) goal=2-3 ;;
		*) goal=1 ;;
		esac
		lim=${goal##*-}
		echo "| bpf syscalls per element (strace, n=$SMALL, batch 1000) | $t $op: emulated batch (best loop) | — | — | $pb ($pl) | — | ≈ $goal $(verdict "$pb" "<=" "$(awk -v l="$lim" 'BEGIN{print l + 0.05}')") |"
	done
done

for t in hash array; do
	for op in lookup lookup_and_delete update delete; do
		ib=$(get "^emulate instr type=$t op=$op variant=batch " per_elem)
		[ -z "$ib" ] && continue
		il=$(get "^emulate instr type=$t op=$op variant=loop " per_elem)
		echo "| user-space instructions per element (callgrind, n=$SMALL) | $t $op: emulated batch vs best loop | — | — | $ib vs $il | $(div "$ib" "$il" %.2f) | — |"
	done
done

for op in getpid lookup_elem; do
	d=$(get "^shim ptinstr op=$op variant=direct " per_call)
	i=$(get "^shim ptinstr op=$op variant=shim " per_call)
	[ -z "$d" ] && continue
	echo "| pass-through, user-space instructions per call (callgrind, incl. the loop) | $op: glibc syscall() vs interposed | $d | $i | — | +$(awk -v a="$i" -v b="$d" 'BEGIN { print a - b }') instructions | — |"
done

for ks in 16 64; do
	a=$(get "^native mem .*ks=$ks " lookup_peak_growth_kb)
	c=$(get "^sim54 mem .*ks=$ks " lookup_peak_growth_kb)
	d=$(get "^sim54 mem .*ks=$ks " lookup_and_delete_peak_growth_kb)
	echo "| memory, $N entries, ${ks}-byte keys | peak RSS growth of a lookup walk (lookup_and_delete walk), kB | $a | — | $c ($d) | $(awk -v c="$c" -v n="$N" 'BEGIN { if (c == "") print "—"; else printf "%.0f B per key", c * 1024 / n }') | bounded, O(keys returned) |"
done
a1=$(get "^sim54 abandon .*started=64 " rss_kb)
a2=$(get "^sim54 abandon .*started=1000 " rss_kb)
a3=$(get "^sim54 abandon .*started=10000 " rss_kb)
grow=$(awk -v a="$a2" -v b="$a3" 'BEGIN { print b - a }')
echo "| memory, abandoned iterations | RSS after 64 / 1000 / 10000 abandoned lookups (100 keys each), kB | — | — | $a1 / $a2 / $a3 | +$grow kB from 1000 to 10000 | bounded (≤ 64 cursors) $(verdict "$grow" "<=" 512) |"

for op in lookup lookup_and_delete; do
	first=""
	for l in $(grep -E "^sim54 scale .*op=$op " "$RAW" | tr ' ' '~'); do
		l=${l//\~/ }
		n=$(field "$l" n)
		v=$(field "$l" batch_ns)
		lp=$(field "$l" loop_ns)
		[ -z "$first" ] && first=$v
		echo "| scaling, emulated hash $op batch 1000 | ns per element at n=$n (best loop) | — | — | $v ($lp) | $(div "$v" "$first" %.2f) × n=10000; vs loop $(div "$v" "$lp") | flat |"
	done
done
report_supervisor
}
# "batch   100: calls ... median     17.32 us/call ..." per run: the median of runs.
sup_median() { # where batch
	{ grep -E "^$1 batch +$2:" "$RAW" || true; } | sed -E 's/.*median +([0-9.]+) us\/call.*/\1/' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
report_supervisor() {
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
case "${BENCH_ONLY:-}" in
legacy | bulk) ;;
supervisor)
	echo "| area | measurement | native | in-process | supervisor | ratio | goal |"
	echo "|---|---|---|---|---|---|---|"
	report_supervisor
	echo "Load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "Raw lines: $RAW"
	exit 0
	;;
*) report_core ;;
esac

# Section 8. bv WHERE TYPE OP BATCH N: the values of one figure, round by
# round; bpair A B ...: the median (min–max) over rounds of A/B.
# BULK_KEY: total_ms (wall) or cpu_ms (the process's own CPU time).
BULK_KEY=total_ms
bv() { { grep -E -- "^$1 bulk type=$2 op=$3 batch=$4 n=$5 " "$RAW" || true; } |
	tr ' ' '\n' | sed -n "s/^$BULK_KEY=//p"; }
bpair() { # A B TYPE OP BATCH N
	paste <(bv "$1" "$3" "$4" "$5" "$6") <(bv "$2" "$3" "$4" "$5" "$6") |
		awk '$1 != "" && $2 > 0 { print $1 / $2 }' | sort -g | awk '{ v[NR] = $1 } END {
			if (!NR) { print "—"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.2f (%.2f–%.2f)\n", m, v[1], v[NR] }'
}
# loads per 1000 emulated calls over every run of WHERE
loads_per_kcall() {
	{ grep -E "^$1 stats bpfbatch" "$RAW" || true; } | awk '
		/bpfbatch bulk:/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "program") l += $i }
		/emulated/ { for (i = 1; i <= NF; i++) if ($i == "emulated") c += $(i + 1) }
		END { if (c) printf "%.3f (%d loads, %d calls)", 1000 * l / c, l, c; else print "—" }'
}
report_bulk() {
	local n=${BENCH_BULK_N:-$N} n414=${BENCH_BULK_N414:-100000} rounds
	rounds=$(bv native hash update 1000 "$n" | wc -l)
	[ "$rounds" -gt 0 ] || return 0
	echo
	echo "Bulk path (BPFBATCH_BULK; emulated commands, many elements per PROG_TEST_RUN): $rounds rounds; times are medians of wall time, a ratio is the median (min–max) over rounds of the runs made side by side; \"cpu\": the same ratio of the process's own CPU time (the simulator's notify helper, another process, not included)."
	echo
	echo "| kernel (simulated), map | command, batch | native batch (this kernel) | bulk on | bulk off (element path) | bulk on ÷ native | bulk off ÷ bulk on | goal |"
	echo "|---|---|---|---|---|---|---|---|"
	for kk in 54:5.4:$n 414:4.14:$n414; do
		local k=${kk%%:*} kv rest nn
		rest=${kk#*:}
		kv=${rest%%:*}
		nn=${rest##*:}
		for t in hash array; do
			for op in update delete lookup lookup_and_delete; do
				for b in 100 1000 $nn; do
					local nat on off r1 r2 c1 c2 goal what=$b
					[ "$b" = "$nn" ] && what="N"
					on=$(med "^b${k}on bulk type=$t op=$op batch=$b n=$nn " total_ms)
					[ -z "$on" ] && continue
					nat=$(med "^native bulk type=$t op=$op batch=$b n=$nn " total_ms)
					off=$(med "^b${k}off bulk type=$t op=$op batch=$b n=$nn " total_ms)
					r1=$(bpair "b${k}on" native $t $op $b "$nn")
					r2=$(bpair "b${k}off" "b${k}on" $t $op $b "$nn")
					BULK_KEY=cpu_ms
					c1=$(first "$(bpair "b${k}on" native $t $op $b "$nn")")
					c2=$(first "$(bpair "b${k}off" "b${k}on" $t $op $b "$nn")")
					BULK_KEY=total_ms
					case $op/$b in
					update/100 | delete/100) goal="off ÷ on > 1 $(verdict "$(first "$r2")" ">=" 1.0001)" ;;
					update/* | delete/*) goal="on ÷ native ≤ 1.3 $(verdict "$(first "$r1")" "<=" 1.3)" ;;
					*) goal="off ÷ on ≥ 1.7 $(verdict "$(first "$r2")" ">=" 1.7)" ;;
					esac
					echo "| $kv, $t, N=$nn | $op, batch $what | $(ms "$nat") | $(ms "$on") | $(ms "$off") | $r1; cpu $c1 | $r2; cpu $c2 | $goal |"
				done
			done
		done
	done
	for k in 5.4 4.14; do
		for t in hash array; do
			for op in lookup lookup_and_delete update delete; do
				for bs in 100 1000; do
					local pon poff lim=1.2
					pon=$(get "^bulksys kernel=$k bulk=on type=$t op=$op batch=$bs " per_elem)
					[ -z "$pon" ] && continue
					poff=$(get "^bulksys kernel=$k bulk=off type=$t op=$op batch=$bs " per_elem)
					case $op in update | delete) lim=1 ;; esac
					echo "| $k, $t, n=$SMALL (strace) | bpf syscalls per element: $op, batch $bs | — | $pon | $poff | — | $(div "$poff" "$pon" %.1f) | on ≤ $lim $(verdict "$pon" "<=" $lim) |"
				done
			done
		done
	done
	for k in 54:5.4 414:4.14; do
		echo "| ${k#*:}, all runs | program loads per 1000 emulated calls (self-test included) | — | $(loads_per_kcall "b${k%%:*}on") | — | — | — | — |"
	done
	# What the element path pays per element, and so the most any lookup
	# walk that still fetches keys one GET_NEXT_KEY each can gain.
	for k in 54:5.4 414:4.14; do
		local g l d
		g=$(med "^b${k%%:*}on callcost " get_next_ns)
		l=$(med "^b${k%%:*}on callcost " lookup_ns)
		d=$(med "^b${k%%:*}on callcost " delete_ns)
		[ -z "$g" ] && continue
		echo "| ${k#*:}, ns per single-element command (median of rounds) | get_next $g, lookup $l, update $(med "^b${k%%:*}on callcost " update_ns), delete $d | — | — | — | — | ceiling of off ÷ on: lookup $(awk -v g="$g" -v l="$l" 'BEGIN { printf "%.2f", (g + l) / g }'), lookup_and_delete $(awk -v g="$g" -v l="$l" -v d="$d" 'BEGIN { printf "%.2f", (g + l + d) / g }') | — |"
	done
}
[ "${BENCH_ONLY:-}" = legacy ] || report_bulk
if [ "${BENCH_ONLY:-}" = bulk ]; then
	echo
	echo "Raw lines: $RAW"
	exit 0
fi

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
echo
echo "Raw lines: $RAW"
