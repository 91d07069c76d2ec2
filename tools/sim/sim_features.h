/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What an old kernel lacks outside bpf() that a supervisor could otherwise
 * reach for: seccomp user notification (5.0), pidfd_open (5.3),
 * pidfd_getfd (5.6), killable waits (5.19); and perf_event_open, which
 * containers often lack. A simulated kernel answers them as the real one did
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

/* Not a kernel version but a permission set (`run --no-perf`): what an
 * unprivileged container gets, perf_event_open failing with EACCES. Without
 * it the supervisor has no witness (supervisor/witness.h). 0 or -errno. */
int sim_no_perf_rules(scmp_filter_ctx ctx);

#endif
