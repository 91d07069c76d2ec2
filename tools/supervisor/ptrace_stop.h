/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What a waitpid() status of a seized tracee means, how each kind of stop
 * is resumed so that the target behaves as if untraced, and the signals a
 * thread received while the supervisor ran syscalls in it, handed back to
 * it untouched (same number, same siginfo) once it runs its own code again.
 */
#ifndef BPFBATCH_PTRACE_STOP_H
#define BPFBATCH_PTRACE_STOP_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* The options every tracee carries (followed threads, forks and execs; dies
 * with the supervisor; seccomp and syscall stops tell themselves apart). */
#define PS_OPTIONS                                                                  \
	(PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD |         \
	 PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |            \
	 PTRACE_O_TRACEEXEC)

enum ps_kind {
	PS_GONE,       /* exited or killed: the status is its wait status */
	PS_SECCOMP,    /* a SECCOMP_RET_TRACE rule matched: ptrace_run serves it */
	PS_SYSCALL,    /* a syscall-enter or -exit stop (only while injecting) */
	PS_SIGNAL,     /* signal-delivery-stop of sig */
	PS_GROUP_STOP, /* job control stop by sig */
	PS_EVENT,      /* fork, clone, exec, a new tracee's first stop, ... */
};

struct ps_stop {
	pid_t tid;
	int status;
	enum ps_kind kind;
	int sig;
	int event; /* PTRACE_EVENT_* or 0 */
};

void ps_decode(pid_t tid, int status, struct ps_stop *s);

/* Resume @s as an untraced task would go on: a signal delivered as it
 * came, a job control stop kept (PTRACE_LISTEN), anything else continued.
 * 0 or -errno (-ESRCH: it died meanwhile). */
int ps_resume(const struct ps_stop *s);

/* Keep a signal that arrived while the supervisor runs syscalls in @tid. */
void ps_hold(pid_t tid, const siginfo_t *si);

/* @tid runs its own code again: have its held signals come back (each is
 * re-sent and, when it arrives, given its original siginfo). */
void ps_release(pid_t tid);

/* A PS_SIGNAL stop of @tid: if it is a held signal coming back, put its
 * original siginfo in place. */
void ps_restore_held(const struct ps_stop *s);

/* @tid is gone (or became another thread's tid by exec). */
void ps_forget(pid_t tid);

#endif
