#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Install what bpfbatch builds and tests with, from Debian's packages: the
# one package list. --list prints it (for .ci/run) and installs nothing.
set -euo pipefail
pkgs=(gcc pkg-config meson ninja-build libbpf-dev libseccomp-dev libcriterion-dev binutils python3-yaml golang-go golang-github-cilium-ebpf-dev python3-bpfcc)
if [ "${1:-}" = --list ]; then
  echo "${pkgs[@]}"
  exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
