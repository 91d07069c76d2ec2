#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# Add libbpfbatch.so to a program's preload list without clobbering what is
# there already.
#
#   bpfbatch-inject.sh env [LIB]                 print the LD_PRELOAD value to use
#   bpfbatch-inject.sh exec [--lib LIB] -- CMD.. run CMD with LIB appended to LD_PRELOAD
#   bpfbatch-inject.sh install|remove|status [--file F] [LIB]
#                                                the system-wide list, /etc/ld.so.preload
#                                                by default (affects every new process!)
#
# Appending keeps the caller's own preloads first, so their interposers see
# syscall() before ours does. Each operation is idempotent.
set -eu

default_lib() {
	for d in "$(dirname "$0")/../build/shim" /usr/local/lib/x86_64-linux-gnu /usr/local/lib \
		/usr/lib/x86_64-linux-gnu; do
		if [ -f "$d/libbpfbatch.so" ]; then
			echo "$(cd "$d" && pwd)/libbpfbatch.so"
			return
		fi
	done
	echo "bpfbatch-inject: libbpfbatch.so not found; pass its path" >&2
	exit 2
}

# $1 = current list (colon or space separated), $2 = lib: the new list.
appended() {
	list=$(printf '%s' "$1" | tr ' ' ':')
	case ":$list:" in
	*":$2:"*) printf '%s\n' "$list" ;;
	"::") printf '%s\n' "$2" ;;
	*) printf '%s:%s\n' "$list" "$2" ;;
	esac
}

cmd=${1:-}
[ -n "$cmd" ] || { sed -n '4,13p' "$0" >&2; exit 2; }
shift

case $cmd in
env)
	lib=${1:-$(default_lib)}
	appended "${LD_PRELOAD:-}" "$lib"
	;;
exec)
	lib=
	while [ $# -gt 0 ]; do
		case $1 in
		--lib) lib=$2; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	[ $# -gt 0 ] || { echo "bpfbatch-inject: exec needs a command" >&2; exit 2; }
	[ -n "$lib" ] || lib=$(default_lib)
	LD_PRELOAD=$(appended "${LD_PRELOAD:-}" "$lib")
	export LD_PRELOAD
	exec "$@"
	;;
install | remove | status)
	file=/etc/ld.so.preload
	if [ "${1:-}" = --file ]; then
		file=$2
		shift 2
	fi
	lib=${1:-$(default_lib)}
	present=no
	[ -f "$file" ] && grep -qxF "$lib" "$file" && present=yes
	case $cmd in
	status)
		echo "$present"
		;;
	install)
		[ -f "$lib" ] || { echo "bpfbatch-inject: $lib does not exist" >&2; exit 1; }
		[ $present = yes ] || printf '%s\n' "$lib" >>"$file"
		;;
	remove)
		if [ $present = yes ]; then
			tmp=$(mktemp "$file.XXXXXX")
			grep -vxF "$lib" "$file" >"$tmp" || true
			if [ -s "$tmp" ]; then mv "$tmp" "$file"; else rm -f "$tmp" "$file"; fi
		fi
		;;
	esac
	;;
*)
	echo "bpfbatch-inject: unknown command '$cmd'" >&2
	exit 2
	;;
esac
