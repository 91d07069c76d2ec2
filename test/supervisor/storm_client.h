/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The signal-storm client's pieces (storm_client.c says what it does): walks
 * and their tallies (storm_walk.c), the storm itself (storm_signals.c).
 */
#ifndef BPFBATCH_TEST_STORM_CLIENT_H
#define BPFBATCH_TEST_STORM_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NTHREADS 8
#define STORM_NS 50000

/* Set by any walk that lost, duplicated or mangled an element: the exit status. */
extern int failed;

/* ---- storm_walk.c -------------------------------------------------------- */

struct tally {
	uint32_t base, n;
	unsigned char *seen;
	uint32_t lost, dups, bad, calls;
	long end;
};

/* Keys key_of(base .. base + n - 1). */
void fill(int fd, uint32_t base, uint32_t n);
void tally_init(struct tally *t, uint32_t base, uint32_t n);
/* The index in [base, base + n) whose key is @key, or -1. */
int64_t index_of(const struct tally *t, uint32_t key);
/* A whole walk with @cmd, @bs elements per call, into @t. @report: a pipe
 * the keys returned are written to as they come (the killed walker's), or
 * -1. */
void walk(int fd, int cmd, uint32_t bs, struct tally *t, int report);
/* Print a walk's result; a failure marks the run. */
void report(const char *what, struct tally *t, uint32_t allowed_lost);
/* Fill a map with @n keys, walk it, drain it, and check it is empty. */
void walk_and_drain(uint32_t base, uint32_t n, uint32_t bs, const char *who);

/* ---- storm_signals.c ----------------------------------------------------- */

extern atomic_ulong signals_sent, signals_handled;

/* SIGUSR1 handled (counted), with SA_RESTART or without. */
void handle(bool restart);
struct storm {
	pid_t pid;                /* process, or 0: this one */
	pid_t tids[NTHREADS];     /* threads to hit (0: none yet) */
	unsigned int ntids;
	pthread_t th;
};

/* A thread sending SIGUSR1 to s->tids every STORM_NS, until storm_stop(). */
void storm_start(struct storm *s);
void storm_stop(struct storm *s);
void print_signals(const char *who);

#endif
