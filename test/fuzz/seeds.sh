#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Sequences the fuzzer once failed on, run again (each alone, on a fresh
# peer). A seed names a sequence only as long as the generator is the same:
# when gen.c changes, these still run, but may no longer test what they did.
# usage: seeds.sh FUZZ_BINARY
set -u
fuzz=${1:?usage: seeds.sh FUZZ_BINARY}
fail=0
while read -r seed config seq why; do
	case "$seed" in '#'* | '') continue ;; esac
	"$fuzz" --seed "$seed" --config "$config" --seq "$seq" --shrink-runs 0 >/dev/null 2>&1
	rc=$?
	[ $rc = 77 ] && exit 77 # not root / no bpf: meson's skip
	if [ $rc != 0 ]; then
		echo "FAIL: --seed $seed --config $config --seq $seq ($why)"
		fail=1
	else
		echo "ok: --seed $seed --config $config --seq $seq ($why)"
	fi
done <<'LIST'
# seed               config       seq  what it caught
0xd10aee8c1c4439b0   api-sim-5.4  767  look-back started at a deleted key, budget spent before the frontier's bucket
0xcf145885ffbb3dbc   sim-4.14     548  look-back started after the frontier, ran to the map's end and ended the walk
0xf0a4d0e5d9671925   sim-5.4      15   a drain's look-back counted in a dry first phase: a key written past count
0x90685bfc78f10137   sim-5.4      53   a drain past a deleted start key: its look-back (from the first key) reached the end and went on
LIST
exit $fail
