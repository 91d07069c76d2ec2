/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Calls the kernel serves itself are not the supervisor's to serve: the
 * target runs them (SECCOMP_USER_NOTIF_FLAG_CONTINUE, 5.5+), so each is
 * executed exactly once, by the kernel, on the target's own fds and memory,
 * however signals land (a call interrupted before it was let through is
 * simply issued again). Which calls those are is dispatch's rule
 * (bb_dispatch_route), asked about the map the target names.
 *
 * What it cannot see: a target that changes its attr (say, its map fd)
 * between this look and the kernel's gets the kernel's own answer for the
 * new map, refusal (524) included, instead of the emulation.
 */
#ifndef BPFBATCH_NATIVE_CALL_H
#define BPFBATCH_NATIVE_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "supervisor/target_fd.h"

/* Would batch @cmd with the attr at @uattr (@size bytes) in target @t go
 * to the kernel's own batch command? False where anything is in doubt (the
 * supervisor then serves it as before). */
bool nc_kernel_serves(struct tf_target *t, int cmd, uint64_t uattr, unsigned int size);

#endif
