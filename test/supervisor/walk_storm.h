/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Big walks under a storm of queued signals, for types_client.c. */
#ifndef BPFBATCH_TEST_WALK_STORM_H
#define BPFBATCH_TEST_WALK_STORM_H

#include <stdbool.h>

/* Fill a hash map of @n elements and walk it with LOOKUP_BATCH, then with
 * LOOKUP_AND_DELETE_BATCH; with @report (the main walk) two threads walk
 * maps of their own meanwhile and one line per walk is printed, else a
 * failure exits 1. */
void walk_big(const char *who, unsigned int n, bool report);

/* A thread that keeps sending SIGUSR1 with a value (pthread_sigqueue) to
 * every walking thread; the handler checks that each arrives with the
 * siginfo it was sent with. */
void storm_start(void);
/* Stop it; how many arrived with the wrong siginfo (printed with
 * @report). */
long storm_stop(bool report);

#endif
