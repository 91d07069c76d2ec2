/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A stopped tracee's syscall registers, the one architecture-specific part
 * of the ptrace front end (ptrace_regs_<arch>.c; ptrace_regs_none.c where
 * there is none yet, and the front end is unavailable): where the syscall
 * number and arguments are, how a tracer skips a call and sets its result,
 * and how it makes the thread run a syscall of its own.
 */
#ifndef BPFBATCH_PTRACE_REGS_H
#define BPFBATCH_PTRACE_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct pr_regs {
	struct user_regs_struct r;
};

/* Does this build know the registers of its architecture? */
bool pr_supported(void);

/* Read or write the registers of a ptrace-stopped @tid. 0 or -errno. */
int pr_get(pid_t tid, struct pr_regs *r);
int pr_set(pid_t tid, const struct pr_regs *r);

/* Argument @i (0..5) of the syscall the thread is stopped in. */
uint64_t pr_arg(const struct pr_regs *r, int i);

/* Is the call made in the tracer's own ABI (not a 32-bit compat one), so
 * that the tracer's syscall numbers and structures are the target's? */
bool pr_native(const struct pr_regs *r);

/* At a seccomp stop: the call is not run, and returns @ret. */
void pr_skip(struct pr_regs *r, long ret);

/* At a syscall-exit stop: make the thread run syscall @nr(@a) when it is
 * resumed, by stepping back onto the syscall instruction, as the kernel
 * itself does to restart a call. */
void pr_redo(struct pr_regs *r, long nr, const uint64_t a[6]);

/* At a syscall-enter stop: the number of the call; at an exit stop: its
 * result. */
long pr_nr(const struct pr_regs *r);
long pr_ret(const struct pr_regs *r);

/* The registers @saved held at the seccomp stop, with @ret as the result of
 * the call that stop trapped. */
void pr_restore(struct pr_regs *r, const struct pr_regs *saved, long ret);

#endif
