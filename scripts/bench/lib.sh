# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# shellcheck shell=bash
# scripts/bench.sh: running the paths and reading the raw lines back (sourced).

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

