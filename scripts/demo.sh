#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# demo.sh [DEMO ARGS...]  (as root, from anywhere in the repository)
#
# Builds bpfbatch and runs the libbpf demo three ways:
#   (1) on this kernel, natively;
#   (2) under `bpfbatch sim --kernel 5.4`, without the shim: must fail, EINVAL;
#   (3) under the same simulator with LD_PRELOAD=libbpfbatch.so: must work.
# Exit 0 only if all three behave so. BUILD_DIR overrides ./build.
set -u

die() { echo "demo.sh: $*" >&2; exit 1; }

cd "$(dirname "$0")/.." || die "cannot find the repository root"
[ "$(id -u)" = 0 ] || die "must be run as root (bpf() and seccomp need it)"

# Install what is missing, and only that.
scripts/deps.sh || die "installing dependencies failed"

build=${BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" || die "meson setup failed"
fi
meson compile -C "$build" || die "build failed"

demo=$build/examples/bpfbatch-demo
tool=$build/tools/bpfbatch
so=$(realpath "$build/shim/libbpfbatch.so")
for f in "$demo" "$tool" "$so"; do
	[ -x "$f" ] || [ -f "$f" ] || die "missing build output $f"
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
ok=0

# run LABEL EXPECT CMD... ; EXPECT is pass or einval.
run() {
	label=$1 expect=$2
	shift 2
	echo
	echo "== $label"
	echo "   \$ $*"
	"$@" >"$out" 2>&1
	rc=$?
	sed 's/^/   | /' "$out"
	if [ "$expect" = pass ] && [ $rc = 0 ]; then
		echo "   => PASS (works)"
	elif [ "$expect" = einval ] && [ $rc != 0 ] && grep -q '(errno 22)' "$out"; then
		echo "   => PASS (fails with EINVAL, as on a real 5.4 kernel)"
	else
		echo "   => FAIL (exit $rc, expected $expect)"
		ok=1
	fi
}

echo "== kernel $(uname -r), $("$tool" version)"
run "(1) native kernel" pass "$demo" "$@"
run "(2) simulated 5.4, no shim" einval "$tool" sim --kernel 5.4 -- "$demo" "$@"
run "(3) simulated 5.4, LD_PRELOAD=libbpfbatch.so" pass \
	env LD_PRELOAD="$so" "$tool" sim --kernel 5.4 -- "$demo" "$@"

echo
if [ $ok = 0 ]; then
	echo "== demo: all three cases behaved as expected"
else
	echo "== demo: FAILED"
fi
exit $ok
