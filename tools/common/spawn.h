/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Starting a target and ending with its exit status, for every front end
 * (user notification, ptrace) and for the simulator. The child prepares
 * itself (installs its filter), hands one fd to the parent over a socketpair
 * before it execs (a seccomp listener is close-on-exec: unsent, it would turn
 * every trapped call into ENOSYS), restores the signal mask and execs; the
 * parent learns whether the set-up and the exec worked. How the target is
 * then served is the caller's business.
 */
#ifndef BPFBATCH_SPAWN_H
#define BPFBATCH_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct spawn_opts {
	char *const *argv; /* the command, argv[0] looked up in PATH */
	/* Run in the child before exec: >= 0, which the parent gets in
	 * spawn.info, or -errno (then the child exits and the parent gets the
	 * errno). *handover: an fd for the parent, or -1. */
	int (*setup)(void *arg, int *handover);
	void *arg;
	const sigset_t *mask; /* restored in the child before exec; NULL: keep */
};

enum spawn_stage {
	SPAWN_RUNNING, /* the command runs */
	SPAWN_SETUP,   /* set-up failed, or the child died before answering (-EPIPE) */
	SPAWN_EXEC,    /* exec failed */
};

struct spawn {
	pid_t pid;
	int sock; /* the parent's end, until spawn_finish() */
	enum spawn_stage stage;
	int info;  /* what the child's set-up returned */
	bool done; /* reaped; status is its wait status */
	int status;
};

/* Fork the child. 0 or -errno (nothing started). */
int spawn_start(struct spawn *s, const struct spawn_opts *o);

/* Wait for the child's set-up and exec. 0 when the command runs, with
 * *handover the fd the set-up handed over (-1: none); else -errno, the
 * failed stage in s->stage, and the child reaped. */
int spawn_finish(struct spawn *s, int *handover);

/* Kill and reap a child whose start the parent gives up on. */
void spawn_abort(struct spawn *s);

/* Reap the child if it has exited, without waiting: true once it has. */
bool spawn_reap(struct spawn *s);

/* Wait for the child; its status as a shell reports it (the exit code, or
 * 128 + signal), 1 if it cannot be waited for. */
int spawn_wait(struct spawn *s);

/* A wait status as a shell reports it. */
int spawn_exit_code(int status);

#endif
