#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# Build bpfbatch and run the differential fuzzer (test/fuzz/README.md): random
# sequences of the four batch commands, natively and through the shim on a
# simulated 5.4 and 4.14, in BPFBATCH_MODE=emulate and through the C API,
# compared op by op. Needs root (BPF maps, seccomp).
#
#   sudo scripts/fuzz.sh                  # the CI budget: 250,000 batch calls
#   sudo scripts/fuzz.sh --long           # 5,000,000 batch calls
#   sudo scripts/fuzz.sh --seed 0x1234 --config sim-5.4 --seq 17   # one sequence again
#
# Every run prints its seed first; any other arguments go to bpfbatch-fuzz
# (--help lists them). Exit status: 0 no difference, 1 differences found.
# Env: BUILDDIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

builddir=${BUILDDIR:-build-fuzz}
calls=250000
args=()
for a in "$@"; do
	case "$a" in
	--long) calls=5000000 ;;
	*) args+=("$a") ;;
	esac
done

if [ ! -d "$builddir" ]; then
	meson setup "$builddir" >/dev/null
fi
meson compile -C "$builddir" test/fuzz/bpfbatch-fuzz test/fuzz/bpfbatch-fuzz-peer \
	shim/bpfbatch:shared_library tools/bpfbatch:executable >/dev/null

b=$(realpath "$builddir")
export BPFBATCH_SO="$b/shim/libbpfbatch.so"
export BPFBATCH_TOOL="$b/tools/bpfbatch"
export BPFBATCH_FUZZ_PEER="$b/test/fuzz/bpfbatch-fuzz-peer"
exec "$b/test/fuzz/bpfbatch-fuzz" --calls "$calls" ${args[@]+"${args[@]}"}
