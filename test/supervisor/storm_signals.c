/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The storm: SIGUSR1 to the walking threads (or process) every ~50 µs
 * from a thread of its own, and the handler that counts them. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "storm_client.h"

atomic_ulong signals_sent, signals_handled;
static atomic_int stop_storm;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&signals_handled, 1, memory_order_relaxed);
}

void handle(bool restart)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0 };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static void *storm_main(void *arg)
{
	struct storm *s = arg;
	struct timespec ts = { 0, STORM_NS };
	pid_t pid = s->pid ? s->pid : getpid();

	while (!atomic_load(&stop_storm)) {
		for (unsigned int i = 0; i < s->ntids; i++) {
			pid_t tid = __atomic_load_n(&s->tids[i], __ATOMIC_RELAXED);

			if (tid && (s->pid ? kill(pid, SIGUSR1) : syscall(SYS_tgkill, pid, tid, SIGUSR1)) == 0)
				atomic_fetch_add_explicit(&signals_sent, 1, memory_order_relaxed);
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

void storm_start(struct storm *s)
{
	atomic_store(&stop_storm, 0);
	if (pthread_create(&s->th, NULL, storm_main, s))
		exit(1);
}

void storm_stop(struct storm *s)
{
	atomic_store(&stop_storm, 1);
	pthread_join(s->th, NULL);
}

void print_signals(const char *who)
{
	printf("%ssignals: sent=%lu handled=%lu\n", who, atomic_load(&signals_sent), atomic_load(&signals_handled));
}

