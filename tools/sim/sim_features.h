/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What an old kernel lacks outside bpf() that a supervisor could otherwise
 * reach for: seccomp user notification (5.0), pidfd_open (5.3),
 * pidfd_getfd (5.6). A simulated kernel answers them as the real one did
 * (ENOSYS for an unknown syscall, EINVAL for an unknown seccomp flag or
 * operation), so `bpfbatch run --kernel 4.19` takes exactly the paths a
 * real 4.19 leaves it.
 */
#ifndef BPFBATCH_SIM_FEATURES_H
#define BPFBATCH_SIM_FEATURES_H

#include <seccomp.h>
#include <stdint.h>

/* Add the rules for kernel @v (BB_KV()) to @ctx. 0 or -errno. */
int sim_feature_rules(scmp_filter_ctx ctx, uint32_t v);

#endif
