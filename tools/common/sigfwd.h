/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Signals meant for a supervised target. The supervisor blocks them, and
 * SIGCHLD, before it forks (so none is lost; the child restores the old
 * mask before exec) and reads them from a signalfd in its loop: those sent
 * to the supervisor by someone (kill, a service manager) are passed on to
 * the target; those the kernel sent (a terminal's ^C) reached the target
 * directly already. Independent of how calls are trapped.
 */
#ifndef BPFBATCH_SIGFWD_H
#define BPFBATCH_SIGFWD_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct sigfwd {
	sigset_t set;
	sigset_t old; /* for the child: spawn_opts.mask */
	int fd;       /* the signalfd, -1 until sigfwd_open() */
};

/* Block SIGCHLD and the signals passed on (INT, TERM, HUP, QUIT, USR1, USR2). */
void sigfwd_block(struct sigfwd *f);

/* The signalfd for the loop to poll (non-blocking). 0 or -errno. */
int sigfwd_open(struct sigfwd *f);

/* Pass what arrived on to @target (0: nobody, it has been reaped). True if
 * SIGCHLD arrived, so the caller reaps. */
bool sigfwd_drain(struct sigfwd *f, pid_t target);

void sigfwd_close(struct sigfwd *f);

#endif
