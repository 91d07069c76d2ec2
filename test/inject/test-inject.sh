#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# scripts/bpfbatch-inject.sh: append semantics, idempotence, removal, and a
# real injection (the demo on a simulated 5.4 works only with the shim).
# Args: INJECT SO TOOL DEMO
set -u
inject=$1 so=$2 tool=$3 demo=$4
fails=0
other=$(ls /lib/*-linux-gnu/libm.so.6 /lib64/libm.so.6 2>/dev/null | head -n1)

check() { # description, got, want
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1: got '$2', want '$3'"
		fails=$((fails + 1))
	fi
}

check "env with nothing preloaded" "$(env -u LD_PRELOAD "$inject" env "$so")" "$so"
check "env appends after the caller's preloads" \
	"$(LD_PRELOAD=$other "$inject" env "$so")" "$other:$so"
check "env accepts space-separated lists" \
	"$(LD_PRELOAD="$other $other" "$inject" env "$so")" "$other:$other:$so"
check "env does not add it twice" "$(LD_PRELOAD="$other:$so" "$inject" env "$so")" "$other:$so"
check "exec runs the command with the list" \
	"$(LD_PRELOAD=$other "$inject" exec --lib "$so" -- sh -c 'echo "$LD_PRELOAD"')" "$other:$so"

f=$(mktemp)
printf '%s\n' "$other" >"$f"
check "status before install" "$("$inject" status --file "$f" "$so")" no
"$inject" install --file "$f" "$so"
"$inject" install --file "$f" "$so"
check "install twice: one line, after the others" "$(cat "$f" | tr '\n' ' ')" "$other $so "
check "status after install" "$("$inject" status --file "$f" "$so")" yes
"$inject" remove --file "$f" "$so"
"$inject" remove --file "$f" "$so"
check "remove keeps the other lines" "$(cat "$f" | tr '\n' ' ')" "$other "
check "install refuses a missing library" \
	"$("$inject" install --file "$f" /nonexistent.so 2>/dev/null; echo $?)" 1
rm -f "$f"

# The real thing: a libbpf program on a simulated 5.4 kernel.
"$tool" sim --kernel 5.4 -- "$demo" --entries 500 >/dev/null 2>&1
check "demo on 5.4 without the shim fails" "$?" 1
"$tool" sim --kernel 5.4 -- "$inject" exec --lib "$so" -- "$demo" --entries 500 >/dev/null 2>&1
check "demo on 5.4 through bpfbatch-inject works" "$?" 0

[ $fails -eq 0 ]
