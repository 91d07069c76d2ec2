#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# Every legacy loop on every map type with the shim linked into the program
# (legacy-loops-inproc), so that sanitizer builds see the acceleration code
# run: without acceleration (the kernel's answers), accelerated, with
# prefetching off, and on simulated 5.4 where the bpfbatch tool is built.
# Each run checks itself; ordered loops must give the kernel's answers.
#
#   test/accel/inproc.sh BUILD/test/accel/legacy-loops-inproc
set -uo pipefail
bin=$1
tool=${BPFBATCH_TOOL:-}
[ -x "$tool" ] || tool=""
types="hash percpu_hash lru_hash array percpu_array lpm"
loops="walk items clear delete-odd pop-first update concurrent errors fd-reuse delete-ahead two-fds threads"
bad=0 runs=0

answers() { grep -E '^(loop=|errors )' || true; }
ordered() { case $1 in delete-odd | update | concurrent | threads) return 1 ;; esac; }

for t in $types; do
	for l in $loops; do
		want=$(env -u BPFBATCH_ACCEL "$bin" --loop "$l" --type "$t" --n 1000 | answers)
		for cfg in native max-age-0 sim-5.4; do
			pre=()
			case $cfg in
			max-age-0) pre=(env BPFBATCH_ACCEL_MAX_AGE_MS=0) ;;
			sim-5.4)
				[ -n "$tool" ] || continue
				pre=("$tool" sim --kernel 5.4 --)
				;;
			esac
			runs=$((runs + 1))
			if ! got=$(BPFBATCH_ACCEL=1 "${pre[@]}" "$bin" --loop "$l" --type "$t" --n 1000); then
				echo "FAIL $t $l $cfg: exit status; $got" >&2
				bad=$((bad + 1))
				continue
			fi
			got=$(answers <<<"$got")
			if ordered "$l" && [ "$got" != "$want" ]; then
				echo "FAIL $t $l $cfg: answers differ from the kernel's" >&2
				diff <(echo "$want") <(echo "$got") >&2
				bad=$((bad + 1))
			elif ! grep -q 'ok=1\|skipped' <<<"$got"; then
				echo "FAIL $t $l $cfg: $got" >&2
				bad=$((bad + 1))
			fi
		done
	done
done
echo "$runs runs, $bad failed"
[ "$bad" -eq 0 ]
