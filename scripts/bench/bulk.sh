# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# shellcheck shell=bash
# scripts/bench.sh, section 8: the bulk path, BPFBATCH_BULK (sourced).

# 8. The bulk path (BPFBATCH_BULK): every command at batch 100, 1000 and N
# on a hash and an array map, in rounds; each round runs, side by side, this
# kernel's native batch commands and the shim on simulated 5.4 and 4.14 with
# the path on and off, so every ratio is a median of ratios of runs made
# together. The simulator serves 4.14's GET_NEXT_KEY, LOOKUP_ELEM and
# UPDATE_ELEM through its user-notify helper (their argument rules changed in
# 4.16 and 5.1), which costs it far more per call than a real 4.14 would:
# at N = 1,000,000 one element-path lookup round takes tens of minutes
# there, so 4.14 runs on BENCH_BULK_N414 entries (BULK_N414). Then bpf syscalls per
# element (BPFBATCH_STATS), with the path on and off.
# Each run is pinned to the last CPU (as section 7's are) and each round
# takes the three paths in turn, the path's two settings swapped every other
# round, so that drift hits all alike; each round records the load average.
# BENCH_BULK_KERNELS (default "5.4 4.14") chooses the simulated kernels.
measure_bulk() {
	local n=${BENCH_BULK_N:-$N} n414=$BULK_N414 i t k kn order
	local kernels=${BENCH_BULK_KERNELS:-5.4 4.14}
	command -v taskset >/dev/null && PIN=(taskset -c $(($(nproc) - 1)))
	for ((i = 0; i < BULK_ROUNDS; i++)); do
		echo "loadavg round=$i $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW"
		order="on off"
		((i % 2)) && order="off on"
		for t in hash array; do
			local done_n=" "
			for k in $kernels; do
				kn=$n
				[ "$k" = 4.14 ] && kn=$n414
				for o in $order; do
					run "b${k/./}$o" bulk --type $t --n "$kn"
				done
				# one native run per size and round: the ratios pair runs by round
				[[ $done_n == *" $kn "* ]] && continue
				run native bulk --type $t --n "$kn"
				done_n+="$kn "
			done
		done
		for k in $kernels; do
			kn=20000
			[ "$k" = 4.14 ] && kn=2000
			run "b${k/./}on" callcost --iters $kn
		done
	done
	PIN=()
	local b ov bs
	for k in $kernels; do
		for b in on off; do
			for ov in hash:lookup hash:lookup_and_delete hash:update hash:delete \
				array:lookup array:update; do
				for bs in 100 1000; do
					count_bulk_syscalls "$k" "$b" "${ov%%:*}" "${ov##*:}" "$bs"
				done
			done
		done
	done
}
# bpf syscalls, PROG_TEST_RUNs and program loads of one command, from the
# shim's own counters (BPFBATCH_STATS: every bpf() call it makes, the
# simulator's helper not included): a count run less a run that sets the
# map up the same way and skips the command.
stats_of() { # kernel on|off type op batch [--skip op]
	local off=()
	[ "$2" = off ] && off=(BPFBATCH_BULK=0)
	"$TOOL" sim --kernel "$1" -- env LD_PRELOAD="$SO" BPFBATCH_STATS=1 "${off[@]}" \
		"$BENCH" count --type "$3" --op "$4" --variant batch --n $SMALL --batch "$5" "${@:6}" \
		2>&1 >/dev/null | awk '
		/^bpfbatch: / { for (i = 1; i < NF; i++) if ($(i + 1) == "bpf") s = $i }
		/^bpfbatch bulk: / { r = $3; l = $7 }
		END { printf "%d %d %d\n", s, r, l }'
}
count_bulk_syscalls() { # kernel on|off type op batch
	local a b
	a=$(stats_of "$@")
	b=$(stats_of "$@" --skip op)
	paste -d' ' <(echo "$a") <(echo "$b") | awk -v k="$1" -v o="$2" -v t="$3" -v op="$4" \
		-v bs="$5" -v n=$SMALL '{
		printf "bulksys kernel=%s bulk=%s type=%s op=%s batch=%s n=%d calls=%d per_elem=%.3f runs=%d loads=%d\n",
			k, o, t, op, bs, n, $1 - $4, ($1 - $4) / n, $2 - $5, $3 - $6 }' >>"$RAW"
}

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
	local n=${BENCH_BULK_N:-$N} n414=$BULK_N414 rounds
	rounds=$(bv native hash update 1000 "$n" | wc -l)
	[ "$rounds" -gt 0 ] || return 0
	echo
	echo "Bulk path (BPFBATCH_BULK; emulated commands, many elements per PROG_TEST_RUN): $rounds rounds, pinned to one CPU, load average (1 min) at the rounds' starts $(awk '/^loadavg /{ print $3 }' "$RAW" | paste -sd/); times are medians of wall time, a ratio is the median (min–max) over rounds of the runs made side by side; \"cpu\": the same ratio of the process's own CPU time (the simulator's notify helper, another process, not included)."
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
					# judged on both: wall time on a loaded machine is mostly
					# the scheduler's share, CPU time misses the simulator's helper
					update/100 | delete/100) goal="off ÷ on > 1: wall $(verdict "$(first "$r2")" ">=" 1.0001) cpu $(verdict "$c2" ">=" 1.0001)" ;;
					update/* | delete/*) goal="on ÷ native ≤ 1.3: wall $(verdict "$(first "$r1")" "<=" 1.3) cpu $(verdict "$c1" "<=" 1.3)" ;;
					*) goal="off ÷ on ≥ 1.7: wall $(verdict "$(first "$r2")" ">=" 1.7) cpu $(verdict "$c2" ">=" 1.7)" ;;
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
					local pon poff lim=1.2 lon
					lon=$(line "^bulksys kernel=$k bulk=on type=$t op=$op batch=$bs ")
					[ -z "$lon" ] && continue
					pon=$(field "$lon" per_elem)
					poff=$(get "^bulksys kernel=$k bulk=off type=$t op=$op batch=$bs " per_elem)
					case $op in update | delete) lim=1 ;; esac
					echo "| $k, $t, n=$SMALL (BPFBATCH_STATS) | bpf syscalls per element: $op, batch $bs | — | $pon ($(field "$lon" runs) runs, $(field "$lon" loads) loads) | $poff | — | $(div "$poff" "$pon" %.1f) | on ≤ $lim $(verdict "$pon" "<=" $lim) |"
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
