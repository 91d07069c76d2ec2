#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# check-errnos.sh HEADER SOURCE...
#
# Errors are API: every errno the given sources produce themselves
# ("return -EFOO", "r = -EFOO"; comparisons such as "r == -EFOO" do not count)
# must be named in HEADER as -EFOO (-BB_ENOTSUPP as -BPFBATCH_ENOTSUPP).
# Errnos the kernel returns and the core only passes on are not seen here.
set -eu

me=check-errnos.sh
if [ $# -lt 2 ]; then
	echo "usage: $me HEADER SOURCE..." >&2
	exit 2
fi
header=$1
shift
[ -r "$header" ] || { echo "$me: cannot read $header" >&2; exit 2; }

codes=$(grep -hoE '(return|[^=!<>]=)[[:space:]]*-(E[A-Z0-9]+|BB_ENOTSUPP)\b' "$@" |
	grep -oE '(E[A-Z0-9]+|BB_ENOTSUPP)$' | sort -u)
[ -n "$codes" ] || { echo "$me: no errno found in $*" >&2; exit 2; }

fail=0
for code in $codes; do
	name=$code
	[ "$code" = BB_ENOTSUPP ] && name=BPFBATCH_ENOTSUPP
	if ! grep -qE -- "-$name\b" "$header"; then
		echo "$me: -$name is returned but not documented in $header" >&2
		fail=1
	fi
done
[ $fail = 0 ] && echo "$me: $header documents" $codes
exit $fail
