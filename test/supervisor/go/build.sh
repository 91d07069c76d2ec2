#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# Build the static Go batch client offline, from Debian's golang-go and
# golang-github-cilium-ebpf-dev (sources under /usr/share/gocode/src), in
# GOPATH mode so that no module proxy is ever asked.
#
# usage: build.sh OUTPUT   (the Go build cache goes beside OUTPUT, so that a
# rebuild in CI, on 2 cores, costs about a second)
# exit 77 when Go or the cilium/ebpf sources are missing: meson's "skip".
set -euo pipefail
out=${1:?usage: build.sh OUTPUT}
srcdir=$(cd "$(dirname "$0")" && pwd) # package main: every .go file there
gocode=/usr/share/gocode
if ! command -v go >/dev/null 2>&1; then
  echo "go is not installed (apt-get install golang-go)" >&2
  exit 77
fi
if [ ! -d "$gocode/src/github.com/cilium/ebpf" ] || [ ! -d "$gocode/src/golang.org/x/sys/unix" ]; then
  echo "cilium/ebpf sources missing (apt-get install golang-github-cilium-ebpf-dev)" >&2
  exit 77
fi
mkdir -p "$(dirname "$out")"
outdir=$(cd "$(dirname "$out")" && pwd)
# The environment is pinned rather than inherited: a developer's GOFLAGS,
# GOPROXY or module mode would otherwise send the build to the network.
# CGO_ENABLED=0 is what makes the result static (no libc, no interpreter),
# out of LD_PRELOAD's reach like the Go tools the supervisor is for.
env GO111MODULE=off GOPATH="$gocode" GOFLAGS= GOPROXY=off GOWORK=off \
    CGO_ENABLED=0 GOCACHE="$outdir/go-cache" HOME="$outdir" \
    go build -buildvcs=false -o "$out" "$srcdir"/*.go
