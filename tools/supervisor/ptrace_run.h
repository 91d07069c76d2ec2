/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The ptrace front end of `bpfbatch run`, for kernels without seccomp user
 * notification (before 5.0) and for targets whose filter chain already has
 * a listener (EBUSY inside a container runtime's notify agent). A
 * SECCOMP_RET_TRACE rule stops the target on bpf() commands 24..27 only;
 * the supervisor, its tracer, serves the call with the same code as the
 * user-notify front end (target_call.c), skips the syscall and sets its
 * result. Needs 3.8+ (PTRACE_SEIZE 3.4, SECCOMP_RET_TRACE 3.5,
 * PTRACE_O_EXITKILL 3.8).
 */
#ifndef BPFBATCH_PTRACE_RUN_H
#define BPFBATCH_PTRACE_RUN_H

#include "supervisor/supervisor.h"

/* As sup_run(), on ptrace. */
int ptrace_run(const struct sup_opts *o);

#endif
