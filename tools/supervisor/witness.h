/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Did an answer reach its thread? Without WAIT_KILLABLE_RECV (before 5.19)
 * a sent answer can still be lost: a signal that wakes the waiting thread
 * just before SECCOMP_IOCTL_NOTIF_SEND takes the notification makes the
 * kernel accept the answer (the ioctl returns 0) and then drop it, because
 * the woken thread leaves with -ERESTARTSYS whatever the state of its
 * notification (seccomp_do_user_notification()). Measured here: about 1 in
 * 10^4 answers under a 50 µs signal storm. The thread then restarts the call
 * exactly as it restarts one whose answer failed with ENOENT, and nothing in
 * the call tells the two apart from a new call with the same bytes.
 *
 * The kernel's own record does: each bpf() a thread completes passes the
 * raw_syscalls:sys_exit tracepoint with its result, an abandoned one with
 * -ERESTARTSYS. A perf counter on that tracepoint, per thread and filtered
 * to "bpf() returned something else", counts the calls that thread really
 * completed: unchanged between an answer and the thread's next notified
 * call means the answer was dropped. Needs tracefs and perf_event_open on
 * the target (CAP_PERFMON or CAP_SYS_ADMIN); where either is missing a sent
 * answer would be taken as delivered, so --via auto takes ptrace there
 * (via.h) and only a forced notify runs without (docs/containers.md).
 */
#ifndef BPFBATCH_WITNESS_H
#define BPFBATCH_WITNESS_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A thread's counter. */
struct witness {
	int fd; /* -1: none */
	pid_t tid;
	unsigned long long start; /* the thread's start time, which names it */
};

/* Can witnesses be opened here? 0, or why not: -ENOENT (no tracefs with
 * the tracepoint), or perf_event_open's -errno (EACCES, EPERM: not allowed
 * here). Found out once, with a counter on ourselves. */
int witness_check(void);
bool witness_available(void);

/* Count the bpf() calls thread @tid completes from now on. 0 or -errno
 * (then w->fd is -1). */
int witness_open(struct witness *w, pid_t tid);
void witness_close(struct witness *w);

/* Its count: 0 or -errno. */
int witness_read(const struct witness *w, uint64_t *count);

/* Does a witness count calls like @d? Those of the native ABI only (a
 * 32-bit or x32 task's bpf() has another number). */
bool witness_counts(const struct seccomp_data *d);

/* Is w->tid still the thread the witness counts? (A counter on an exited
 * thread stands still, and the tid may be another thread's by now.) */
bool witness_same_thread(const struct witness *w);

#endif
