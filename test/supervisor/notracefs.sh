#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# notracefs.sh CMD [ARGS...]: run CMD as in a container without tracefs:
# in its own mount namespace, with tracefs unmounted and an empty tmpfs over
# /sys/kernel/tracing and /sys/kernel/debug. The supervisor then cannot
# open a witness (supervisor/witness.h) because there is none, not because
# a flag says so. Exits 125 if the namespace cannot be made (not root).
# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare -m --propagation private sh -c '
  for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do umount -l "$d" 2>/dev/null; done
  for d in /sys/kernel/tracing /sys/kernel/debug; do
    if [ -d "$d" ]; then mount -t tmpfs none "$d" || exit 125; fi
  done
  exec "$@"' sh "$@"
