#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# check-symbols.sh [--unversioned | --versioned NODE] [--needed LIB[,LIB...]]
#                  SHLIB SYMBOL...
#
# Fail unless SHLIB exports exactly the listed symbols (version node names,
# which nm lists as absolute symbols, are ignored). --unversioned: the
# symbols must carry no version (an interposer's syscall() bound to a named
# node would lose against libc's). --versioned NODE: each must be the default
# version NODE (name@@NODE). --needed: the DT_NEEDED entries must be exactly
# this list. With --needed alone the SYMBOL list may be empty: only
# DT_NEEDED is checked (for executables, whose exports are the toolchain's).
set -eu

me=check-symbols.sh
unversioned=0
versioned=
needed=
while [ $# -gt 0 ]; do
	case $1 in
	--unversioned) unversioned=1; shift ;;
	--versioned) versioned=$2; shift 2 ;;
	--needed) needed=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "$me: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 1 ] || { [ $# -lt 2 ] && [ -z "$needed" ]; }; then
	echo "usage: $me [--unversioned | --versioned NODE] [--needed LIB,...] SHLIB SYMBOL..." >&2
	exit 2
fi
lib=$1
shift
[ -r "$lib" ] || { echo "$me: cannot read $lib" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Exported = defined dynamic symbols, minus version nodes (type A); newer
# nm appends @VERSION to names, which --unversioned checks separately.
nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/got"
printf '%s\n' "$@" | sort -u >"$tmp/want"
if [ $# -gt 0 ] && ! cmp -s "$tmp/got" "$tmp/want"; then
	echo "$me: $lib exports differ from the allowlist (-want +got):" >&2
	diff "$tmp/want" "$tmp/got" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' >&2 || true
	fail=1
fi

if [ $unversioned = 1 ]; then
	# readelf prints name@VERSION / name@@VERSION for versioned symbols.
	for sym in "$@"; do
		line=$(readelf -W --dyn-syms "$lib" |
			awk -v s="$sym" '$7 != "UND" && ($8 == s || index($8, s "@") == 1)')
		case $line in
		*@*) echo "$me: $sym is versioned in $lib: $line" >&2; fail=1 ;;
		"") echo "$me: $sym not found in $lib dynamic symbols" >&2; fail=1 ;;
		esac
	done
fi

if [ -n "$versioned" ]; then
	for sym in "$@"; do
		readelf -W --dyn-syms "$lib" |
			awk -v s="$sym@@$versioned" '$7 != "UND" && $8 == s { f = 1 } END { exit !f }' ||
			{ echo "$me: $sym is not $sym@@$versioned in $lib" >&2; fail=1; }
	done
fi

if [ -n "$needed" ]; then
	readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u >"$tmp/gotneeded"
	echo "$needed" | tr ',' '\n' | sort -u >"$tmp/wantneeded"
	if ! cmp -s "$tmp/gotneeded" "$tmp/wantneeded"; then
		echo "$me: $lib NEEDED differs (-want +got):" >&2
		diff "$tmp/wantneeded" "$tmp/gotneeded" | grep '^[<>]' |
			sed 's/^</-/; s/^>/+/' >&2 || true
		fail=1
	fi
fi

[ $fail = 0 ] && echo "$me: $lib ok ($*)"
exit $fail
