#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# bcc's own Python table methods under BPFBATCH_ACCEL=1: each must give the
# right result (bcc_table.py checks it) natively and on simulated 5.4, and
# acceleration must have served answers where it can. Exit 77 without bcc.
set -uo pipefail
script=$1
py=/usr/bin/python3
N=20000
[ -x "$py" ] && "$py" -c 'import bcc' 2>/dev/null || { echo "bcc not installed: skipped"; exit 77; }

fails=0
check() { # label want_served cmd...
	local label=$1 want=$2 out served
	shift 2
	out=$("$@" 2>&1)
	served=$(sed -n 's/.*bpfbatch accel: \([0-9]*\) served.*/\1/p' <<<"$out")
	if ! grep -q '"ok": true' <<<"$out"; then
		echo "FAIL $label: $out"
		fails=$((fails + 1))
	elif [ "$want" = yes ] && [ "${served:-0}" -eq 0 ]; then
		echo "FAIL $label: nothing served: $out"
		fails=$((fails + 1))
	else
		echo "ok   $label: $(grep -o '"seconds": [0-9.]*' <<<"$out") served=${served:-0}"
	fi
}
accel=(env LD_PRELOAD="$BPFBATCH_SO" BPFBATCH_ACCEL=1 BPFBATCH_STATS=1)
for op in items values keys len clear; do
	check "$op, no shim" no "$py" "$script" --entries $N --op "$op"
	check "$op, accel" yes "${accel[@]}" "$py" "$script" --entries $N --op "$op"
	# 5.4 has no LOOKUP_BATCH: only clear() is accelerated (successor memory).
	w=no
	[ "$op" = clear ] && w=yes
	check "$op, accel, sim 5.4" $w "$BPFBATCH_TOOL" sim --kernel 5.4 -- "${accel[@]}" \
		"$py" "$script" --entries $N --op "$op"
done
# bcc's batch API on 5.4 works through the shim with acceleration on too.
check "items_lookup_batch, accel, sim 5.4" no "$BPFBATCH_TOOL" sim --kernel 5.4 -- \
	"${accel[@]}" "$py" "$script" --entries $N --op items_lookup_batch
exit $((fails > 0))
