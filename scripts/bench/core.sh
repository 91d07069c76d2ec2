# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# shellcheck shell=bash
# scripts/bench.sh, sections 1-6: the seed table, pass-through, the floor,
# syscalls and instructions per element, scaling, memory (sourced); the
# supervisor's section 6 is supervisor.sh.

# The seed table's batch rows through glibc's syscall() and the shim's,
# alternated in one process as the pass-through rows are: separate processes
# minutes apart see different machines (BENCH_ONLY=alt: this alone).
measure_alt() { run shim alt --n "$N" --reps "${BENCH_ALT_REPS:-5}"; }
report_alt() {
	echo "N = $N; the seed table's batch rows natively and via the shim (native mode), alternated in one process, order swapped each repetition; ratio = median of the per-pair ratios."
	echo
	echo "| seed table, hash | batch | native (glibc syscall()) | via shim, native mode | shim ÷ native |"
	echo "|---|---|---|---|---|"
	local l
	for l in $(grep -E "^shim alt type=" "$RAW" | tr ' ' '~'); do
		l=${l//\~/ }
		echo "| $(field "$l" op) | $(field "$l" batch) | $(field "$l" direct_ms) ms | $(field "$l" shim_ms) ms | $(field "$l" ratio) |"
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
	measure_alt

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
