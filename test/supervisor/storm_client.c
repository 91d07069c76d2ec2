/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A static batch client under a signal storm: walks of a large hash map
 * (LOOKUP, then LOOKUP_AND_DELETE until empty) while another thread, or
 * another process, sends SIGUSR1 to the walking threads every ~50 µs. Every
 * element must come back exactly once: an answer the supervisor gave to a
 * call the signal took back must neither be lost nor be given twice.
 *
 * The walks use the pattern that leaves a supervisor no other clue: one
 * token buffer for in and out, the same keys and values buffers and the same
 * count on every call, so a restarted call and the next call look alike.
 *
 *   storm-client walk N BATCH [norestart]   one thread, storm from a thread
 *   storm-client threads N BATCH            8 threads, N / 8 elements each
 *   storm-client fork N BATCH               the walker forked, storm from the parent
 *   storm-client exec N BATCH               the same, the walker exec'ed
 *   storm-client killed N BATCH             a walker SIGKILLed mid-walk; the parent
 *                                           finishes the walk
 *
 * norestart: the handler lacks SA_RESTART; interrupted calls fail with
 * EINTR and are issued again, the attr rebuilt as before.
 * Each walk prints "... lost=L dups=D ..." and the signals sent and handled;
 * the exit status is 1 if anything was lost, duplicated or wrong.
 *
 * The pieces: storm_client.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/uapi.h"

#include "client_util.h"
#include "storm_client.h"

/* ---- modes -------------------------------------------------------------- */

static void one_walker(uint32_t n, uint32_t bs, bool restart)
{
	struct storm s = { .ntids = 1 };

	handle(restart);
	s.tids[0] = (pid_t)syscall(SYS_gettid);
	storm_start(&s);
	walk_and_drain(0, n, bs, "");
	storm_stop(&s);
	print_signals("");
}

struct worker {
	struct storm *s;
	unsigned int i;
	uint32_t n, bs;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char who[16];

	snprintf(who, sizeof(who), "thread %u ", w->i);
	__atomic_store_n(&w->s->tids[w->i], (pid_t)syscall(SYS_gettid), __ATOMIC_RELAXED);
	walk_and_drain(w->i * w->n, w->n, w->bs, who);
	return NULL;
}

static void threads(uint32_t n, uint32_t bs)
{
	struct storm s = { .ntids = NTHREADS };
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];

	handle(true);
	storm_start(&s);
	for (unsigned int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ &s, i, n / NTHREADS, bs };
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	}
	for (unsigned int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	storm_stop(&s);
	print_signals("");
}

/* The walker in a child process (exec'ed with @argv if given), the storm
 * from this one. The child's exit status is its verdict. */
static void other_process(uint32_t n, uint32_t bs, char *const *argv)
{
	struct storm s = { .ntids = 1 };
	int st;
	pid_t pid;

	/* Only the child handles it; here it would end the storm. */
	signal(SIGUSR1, SIG_IGN);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* Ignored until the exec'ed walker handles it: a handler
		 * would not survive the exec, and the default action kills. */
		if (argv) {
			execv("/proc/self/exe", argv);
			_exit(127);
		}
		handle(true);
		walk_and_drain(0, n, bs, "child ");
		print_signals("child ");
		_exit(failed);
	}
	s.pid = pid;
	s.tids[0] = pid;
	storm_start(&s);
	waitpid(pid, &st, 0);
	storm_stop(&s);
	printf("storm from the parent: sent=%lu; child status=%d\n", atomic_load(&signals_sent), st);
	if (st)
		failed = 1;
}

/*
 * A walker process killed mid-walk; this process then walks on from the
 * start. Between them every element comes back exactly once, except what
 * the killed call took with it: at most one call's worth (the kernel's
 * calls die the same way), for LOOKUP_AND_DELETE only.
 */
static void killed(uint32_t n, uint32_t bs, int cmd, const char *what)
{
	struct storm s = { .ntids = 1 };
	int fd = map_create(BB_MAP_TYPE_HASH, n), p[2];
	uint32_t keys[1024];
	struct tally t;
	ssize_t got;
	pid_t pid;
	int st;

	fill(fd, 0, n);
	tally_init(&t, 0, n);
	if (pipe(p) < 0)
		exit(1);
	signal(SIGUSR1, SIG_IGN);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct tally mine;

		close(p[0]);
		handle(true);
		tally_init(&mine, 0, n);
		walk(fd, cmd, bs, &mine, p[1]);
		_exit(0);
	}
	close(p[1]);
	s.pid = pid;
	s.tids[0] = pid;
	storm_start(&s);
	/* Kill it once it is well into the walk. */
	for (uint32_t seen = 0; (got = read(p[0], keys, sizeof(keys))) > 0;) {
		for (ssize_t j = 0; j < got / 4; j++) {
			int64_t i = index_of(&t, keys[j]);

			if (i >= 0 && t.seen[i]++)
				t.dups++;
		}
		seen += (uint32_t)(got / 4);
		if (seen >= n / 3 && !kill(pid, 0))
			kill(pid, SIGKILL);
	}
	waitpid(pid, &st, 0);
	storm_stop(&s);
	close(p[0]);
	printf("%s walker killed: %s; storm from the parent: sent=%lu\n", what,
	       WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "yes" : "no (it finished first)",
	       atomic_load(&signals_sent));
	if (cmd == BB_MAP_LOOKUP_BATCH)
		memset(t.seen, 0, n); /* nothing was taken: walk it all again */
	walk(fd, cmd, bs, &t, -1);
	report(cmd == BB_MAP_LOOKUP_BATCH ? "killed lookup, walked again" :
					    "killed lookup-and-delete, drained by the parent",
	       &t, cmd == BB_MAP_LOOKUP_BATCH ? 0 : bs);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	uint32_t n = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 100000;
	uint32_t bs = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 128;
	char *walker[] = { argv[0], "walk", argc > 2 ? argv[2] : "100000",
			   argc > 3 ? argv[3] : "128", NULL };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (bs == 0 || bs > 65536 || n == 0) {
		fprintf(stderr, "storm-client: bad N or BATCH\n");
		return 2;
	}
	if (!strcmp(mode, "walk"))
		one_walker(n, bs, !(argc > 4 && !strcmp(argv[4], "norestart")));
	else if (!strcmp(mode, "threads"))
		threads(n, bs);
	else if (!strcmp(mode, "fork"))
		other_process(n, bs, NULL);
	else if (!strcmp(mode, "exec"))
		other_process(n, bs, walker);
	else if (!strcmp(mode, "killed")) {
		killed(n, bs, BB_MAP_LOOKUP_BATCH, "lookup");
		killed(n, bs, BB_MAP_LOOKUP_AND_DELETE_BATCH, "lookup-and-delete");
	} else {
		fprintf(stderr, "usage: storm-client walk|threads|fork|exec|killed N BATCH "
				"[norestart]\n");
		return 2;
	}
	return failed;
}
