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
#include <time.h>
#include <unistd.h>

#include "platform/uapi.h"

#define NTHREADS 8
#define STORM_NS 50000

static atomic_ulong handled;
static atomic_ulong sent;
static atomic_int stop_storm;
static int failed;

static long sys_bpf(int cmd, void *attr, unsigned int size)
{
	long r = syscall(__NR_bpf, cmd, attr, size);

	return r < 0 ? -errno : r;
}

static uint64_t p2u(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint32_t key_of(uint32_t i)
{
	return i * 2654435761u; /* a bijection: distinct keys spread over the table */
}

static uint64_t value_of(uint32_t key)
{
	return (uint64_t)key * 1000003u + 17;
}

/* One batch call, the attr rebuilt from the same inputs while EINTR says
 * the signal took it back (norestart). */
static long batch(int cmd, int fd, void *in, void *out, void *keys, void *vals, uint32_t *count)
{
	uint32_t want = *count;
	long r;

	do {
		struct bb_batch_attr a = {
			.in_batch = p2u(in), .out_batch = p2u(out), .keys = p2u(keys),
			.values = p2u(vals), .count = want, .map_fd = (uint32_t)fd,
		};

		r = sys_bpf(cmd, &a, sizeof(a));
		*count = a.count;
	} while (r == -EINTR);
	return r;
}

static int map_create(uint32_t max)
{
	uint32_t a[16] = { BB_MAP_TYPE_HASH, 4, 8, max };
	long fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a));

	if (fd < 0) {
		printf("map_create failed: %ld\n", fd);
		exit(1);
	}
	return (int)fd;
}

/* Keys key_of(base .. base + n - 1). */
static void fill(int fd, uint32_t base, uint32_t n)
{
	static _Thread_local uint32_t keys[4096];
	static _Thread_local uint64_t vals[4096];

	for (uint32_t done = 0; done < n;) {
		uint32_t c = n - done < 4096 ? n - done : 4096, want = c;
		long r;

		for (uint32_t i = 0; i < c; i++) {
			keys[i] = key_of(base + done + i);
			vals[i] = value_of(keys[i]);
		}
		r = batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &c);
		if (r || c != want) {
			printf("fill: r=%ld count=%u of %u\n", r, c, want);
			exit(1);
		}
		done += c;
	}
}

struct tally {
	uint32_t base, n;
	unsigned char *seen;
	uint32_t lost, dups, bad, calls;
	long end;
};

static void tally_init(struct tally *t, uint32_t base, uint32_t n)
{
	memset(t, 0, sizeof(*t));
	t->base = base;
	t->n = n;
	t->seen = calloc(n, 1);
	if (!t->seen)
		exit(1);
}

/* key_of() inverted on [base, base + n): the multiplier's inverse mod 2^32. */
static int64_t index_of(const struct tally *t, uint32_t key)
{
	uint32_t i = key * 244002641u - t->base;

	return i < t->n ? (int64_t)i : -1;
}

static void tally_add(struct tally *t, const uint32_t *keys, const uint64_t *vals, uint32_t n)
{
	for (uint32_t j = 0; j < n; j++) {
		int64_t i = index_of(t, keys[j]);

		if (i < 0 || vals[j] != value_of(keys[j]))
			t->bad++;
		else if (t->seen[i]++)
			t->dups++;
	}
}

static void tally_end(struct tally *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (!t->seen[i])
			t->lost++;
}

/*
 * A whole walk with @cmd, @bs elements per call, into @t. @report: a pipe
 * the keys returned are written to as they come (the killed walker's), or
 * -1.
 */
static void walk(int fd, int cmd, uint32_t bs, struct tally *t, int report)
{
	uint32_t *keys = malloc(sizeof(*keys) * bs), tok = 0, count;
	uint64_t *vals = malloc(sizeof(*vals) * bs);
	long r;

	if (!keys || !vals)
		exit(1);
	for (;;) {
		count = bs;
		r = batch(cmd, fd, t->calls ? &tok : NULL, &tok, keys, vals, &count);
		t->calls++;
		if (r && r != -ENOENT)
			break;
		tally_add(t, keys, vals, count);
		if (report >= 0 && count &&
		    write(report, keys, sizeof(*keys) * count) != (ssize_t)(sizeof(*keys) * count))
			exit(1);
		if (r == -ENOENT)
			break;
	}
	t->end = r;
	free(keys);
	free(vals);
}

/* Print a walk's result; a failure marks the run. */
static void report(const char *what, struct tally *t, uint32_t allowed_lost)
{
	tally_end(t);
	printf("%s: elements=%u calls=%u lost=%u dups=%u badvals=%u end=%ld\n", what, t->n,
	       t->calls, t->lost, t->dups, t->bad, t->end);
	if (t->lost > allowed_lost || t->dups || t->bad || t->end != -ENOENT)
		failed = 1;
	free(t->seen);
}

/* Fill a map with @n keys, walk it, drain it, and check it is empty. */
static void walk_and_drain(uint32_t base, uint32_t n, uint32_t bs, const char *who)
{
	int fd = map_create(n);
	struct tally t;
	char what[64];

	fill(fd, base, n);
	tally_init(&t, base, n);
	walk(fd, BB_MAP_LOOKUP_BATCH, bs, &t, -1);
	snprintf(what, sizeof(what), "%slookup", who);
	report(what, &t, 0);
	tally_init(&t, base, n);
	walk(fd, BB_MAP_LOOKUP_AND_DELETE_BATCH, bs, &t, -1);
	snprintf(what, sizeof(what), "%slookup-and-delete", who);
	report(what, &t, 0);
	tally_init(&t, base, 0);
	walk(fd, BB_MAP_LOOKUP_BATCH, bs, &t, -1);
	if (t.calls != 1 || t.end != -ENOENT || t.bad) {
		printf("%sdrained map not empty\n", who);
		failed = 1;
	}
	free(t.seen);
	close(fd);
}

/* ---- the storm ---------------------------------------------------------- */

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&handled, 1, memory_order_relaxed);
}

static void handle(bool restart)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0 };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

struct storm {
	pid_t pid;                /* process, or 0: this one */
	pid_t tids[NTHREADS];     /* threads to hit (0: none yet) */
	unsigned int ntids;
	pthread_t th;
};

static void *storm_main(void *arg)
{
	struct storm *s = arg;
	struct timespec ts = { 0, STORM_NS };
	pid_t pid = s->pid ? s->pid : getpid();

	while (!atomic_load(&stop_storm)) {
		for (unsigned int i = 0; i < s->ntids; i++) {
			pid_t tid = __atomic_load_n(&s->tids[i], __ATOMIC_RELAXED);

			if (tid && (s->pid ? kill(pid, SIGUSR1) : syscall(SYS_tgkill, pid, tid, SIGUSR1)) == 0)
				atomic_fetch_add_explicit(&sent, 1, memory_order_relaxed);
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void storm_start(struct storm *s)
{
	atomic_store(&stop_storm, 0);
	if (pthread_create(&s->th, NULL, storm_main, s))
		exit(1);
}

static void storm_stop(struct storm *s)
{
	atomic_store(&stop_storm, 1);
	pthread_join(s->th, NULL);
}

static void print_signals(const char *who)
{
	printf("%ssignals: sent=%lu handled=%lu\n", who, atomic_load(&sent), atomic_load(&handled));
}

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
	printf("storm from the parent: sent=%lu; child status=%d\n", atomic_load(&sent), st);
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
	int fd = map_create(n), p[2];
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
	       atomic_load(&sent));
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
