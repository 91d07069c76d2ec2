/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Syscalls run inside a thread that a seccomp stop holds, and with them the
 * target's fds taken where the kernel offers no other way (pidfd_getfd
 * came in 5.6, the map id in fdinfo in 4.16): the thread sends its fd to the
 * supervisor over a unix socket (SCM_RIGHTS), so the supervisor holds the
 * target's own open file, as with pidfd_getfd.
 *
 * The trapped call is skipped first and the thread parked at its
 * syscall-exit stop; each injected call steps back onto the syscall
 * instruction and runs to its own exit stop. That sequence is the same on
 * both sides of 4.8, which moved the seccomp stop after the syscall-enter
 * stop: a call skipped at its seccomp stop gets no enter stop on any kernel.
 * Signals that arrive meanwhile are held and handed back afterwards
 * (ptrace_stop.h); what the target sees is one bpf() call and its result.
 * The thread's memory map and fd table are as before once the call
 * returns.
 */
#ifndef BPFBATCH_PTRACE_INJECT_H
#define BPFBATCH_PTRACE_INJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervisor/ptrace_regs.h"

struct pi {
	pid_t tid;
	struct pr_regs saved; /* at the seccomp stop */
	struct pr_regs at;    /* at the current syscall-exit stop */
	bool active;          /* the trapped call is skipped; at an exit stop */
	bool gone;            /* the thread died; status is its wait status */
	int status;
	uint64_t scratch;     /* a page mapped in the target, or 0 */
	int sock;             /* the target's socket, or -1 */
};

/* A session on @tid, stopped at the seccomp stop that gave @regs. */
void pi_init(struct pi *p, pid_t tid, const struct pr_regs *regs);

/* tf_target.take: @fd of the target (struct pi * as @arg). A new fd or
 * -errno (-ESRCH: the thread died). */
int pi_take_fd(void *arg, int fd);

/*
 * End the session: undo what was set up in the target, give the trapped
 * call the result @ret and resume the thread. Only if something was
 * injected (p->active); 0 or -errno.
 */
int pi_finish(struct pi *p, long ret);

#endif
