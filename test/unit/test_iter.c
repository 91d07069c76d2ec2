/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Emulated iteration under the conditions real programs create: abandoned
 * walks, fork, fd reuse, threads, concurrent deleters, signals. Runs the C
 * API in-process with BPFBATCH_MODE=emulate (set by meson), on real maps.
 */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfbatch.h"
#include "core/iters.h"

#define NKEYS 3000

static int new_hash(unsigned int max_entries)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 8, max_entries, NULL);

	if (fd < 0)
		cr_skip_test("cannot create a BPF map here (need root): %s", strerror(errno));
	return fd;
}

static void fill(int fd, uint32_t from, uint32_t to)
{
	for (uint32_t k = from; k < to; k++) {
		uint64_t v = (uint64_t)k * 3 + 1;

		cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
}

/* Walk with @batch from @tok (NULL: from the start) until ENOENT, counting
 * how often each key comes back; checks values. Returns the calls made. */
static int walk(int fd, uint32_t *tok, uint32_t batch, unsigned char *seen, uint32_t nseen)
{
	uint32_t keys[64], out, cnt;
	uint64_t vals[64];
	void *in = tok;
	int calls = 0, r;

	do {
		cnt = batch;
		r = bpfbatch_map_lookup_batch(fd, in, &out, keys, vals, &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT, "lookup: %d", r);
		for (uint32_t i = 0; i < cnt; i++) {
			cr_assert_lt(keys[i], nseen);
			cr_assert_eq(vals[i], (uint64_t)keys[i] * 3 + 1);
			seen[keys[i]]++;
		}
		in = &out;
		cr_assert_lt(++calls, 100000, "the walk must end");
	} while (r == 0);
	return calls;
}

Test(iter, abandoned_walks_stay_bounded, .timeout = 60)
{
	int fd = new_hash(64);
	unsigned int open;
	uint64_t bytes;

	fill(fd, 0, 10);
	for (int i = 0; i < 10000; i++) {
		uint32_t key, out, cnt = 1;
		uint64_t val;

		cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &out, &key, &val, &cnt, NULL), 0);
	}
	bb_iter_usage(&open, &bytes);
	cr_assert_leq(open, BB_ITER_SLOTS);
	cr_assert_lt(bytes, 64ULL * 4096, "iteration memory: %llu", (unsigned long long)bytes);
	close(fd);
}

Test(iter, child_of_fork_continues_the_parents_walk, .timeout = 60)
{
	unsigned char seen[NKEYS] = { 0 };
	uint32_t keys[10], out, cnt = 10;
	uint64_t vals[10];
	int fd = new_hash(NKEYS), status;
	pid_t pid;

	fill(fd, 0, NKEYS);
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &out, keys, vals, &cnt, NULL), 0);
	cr_assert_eq(cnt, 10);
	for (uint32_t i = 0; i < cnt; i++)
		seen[keys[i]]++;
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		walk(fd, &out, 37, seen, NKEYS);
		for (uint32_t k = 0; k < NKEYS; k++)
			if (seen[k] != 1)
				_exit(10);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child saw every key once");
	/* The parent's own copy of the walk is intact too. */
	walk(fd, &out, 64, seen, NKEYS);
	for (uint32_t k = 0; k < NKEYS; k++)
		cr_assert_eq(seen[k], 1, "key %u", k);
	close(fd);
}

Test(iter, a_token_does_not_follow_a_reused_fd_number, .timeout = 30)
{
	uint32_t keys[4], out, cnt = 4;
	uint64_t vals[4];
	int a = new_hash(100), b;
	unsigned char seen[100] = { 0 };

	fill(a, 0, 50);
	cr_assert_eq(bpfbatch_map_lookup_batch(a, NULL, &out, keys, vals, &cnt, NULL), 0);
	close(a);
	b = new_hash(100);
	cr_assert_eq(b, a, "the fd number is reused");
	fill(b, 0, 50);
	cnt = 4;
	cr_assert_eq(bpfbatch_map_lookup_batch(b, &out, &out, keys, vals, &cnt, NULL), -ENOENT,
		     "another map's token is unknown here");
	cr_assert_eq(cnt, 0);
	/* A new walk on the new map is whole. */
	walk(b, NULL, 7, seen, 100);
	for (uint32_t k = 0; k < 50; k++)
		cr_assert_eq(seen[k], 1);
	close(b);
}

struct walker {
	int fd;
	uint32_t batch;
	unsigned char seen[NKEYS];
};

static void *walk_thread(void *arg)
{
	struct walker *w = arg;

	for (int round = 0; round < 5; round++) {
		memset(w->seen, 0, sizeof(w->seen));
		walk(w->fd, NULL, w->batch, w->seen, NKEYS);
		for (uint32_t k = 0; k < NKEYS; k++)
			cr_assert_eq(w->seen[k], 1, "key %u", k);
	}
	return NULL;
}

Test(iter, threads_walking_one_map_each_see_every_key_once, .timeout = 120)
{
	static struct walker w[3];
	pthread_t t[3];
	int fd = new_hash(NKEYS);

	fill(fd, 0, NKEYS);
	for (int i = 0; i < 3; i++) {
		w[i].fd = fd;
		w[i].batch = (uint32_t)(1 + i * 31);
		cr_assert_eq(pthread_create(&t[i], NULL, walk_thread, &w[i]), 0);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	close(fd);
}

struct churn {
	int fd;
	atomic_bool stop;
};

/* Deletes and re-inserts keys NKEYS/2..NKEYS-1 while the walk runs. */
static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	uint32_t k = NKEYS / 2;

	while (!atomic_load(&c->stop)) {
		uint64_t v = (uint64_t)k * 3 + 1;

		bpf_map_delete_elem(c->fd, &k);
		bpf_map_update_elem(c->fd, &k, &v, BPF_ANY);
		if (++k == NKEYS)
			k = NKEYS / 2;
	}
	return NULL;
}

Test(iter, concurrent_churn_never_duplicates_and_keeps_stable_keys, .timeout = 120)
{
	struct churn c = { .fd = new_hash(NKEYS) };
	pthread_t t;

	fill(c.fd, 0, NKEYS);
	cr_assert_eq(pthread_create(&t, NULL, churn_thread, &c), 0);
	for (int round = 0; round < 20; round++) {
		unsigned char seen[NKEYS] = { 0 };

		walk(c.fd, NULL, (uint32_t)(1 + round * 3), seen, NKEYS);
		for (uint32_t k = 0; k < NKEYS; k++) {
			cr_assert_leq(seen[k], 1, "key %u returned twice (round %d)", k, round);
			if (k < NKEYS / 2)
				cr_assert_eq(seen[k], 1, "stable key %u lost (round %d)", k, round);
		}
	}
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	close(c.fd);
}

Test(iter, lookup_then_delete_pattern_is_linear_and_exact, .timeout = 60)
{
	unsigned char seen[NKEYS] = { 0 };
	uint32_t keys[64], out, cnt;
	uint64_t vals[64];
	int fd = new_hash(NKEYS), r, calls = 0;
	void *in = NULL;

	fill(fd, 0, NKEYS);
	do {
		cnt = 50;
		r = bpfbatch_map_lookup_batch(fd, in, &out, keys, vals, &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT);
		for (uint32_t i = 0; i < cnt; i++) {
			seen[keys[i]]++;
			cr_assert_eq(bpf_map_delete_elem(fd, &keys[i]), 0);
		}
		in = &out;
		calls++;
	} while (r == 0);
	cr_assert_leq(calls, NKEYS / 50 + 1);
	for (uint32_t k = 0; k < NKEYS; k++)
		cr_assert_eq(seen[k], 1, "key %u", k);
	close(fd);
}

static atomic_int signals;

static void on_alarm(int sig)
{
	(void)sig;
	/* A pass-through syscall from a handler, in the middle of a batch. */
	syscall(SYS_getpid);
	atomic_fetch_add(&signals, 1);
}

Test(iter, signals_during_long_batches, .timeout = 60)
{
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	unsigned char seen[NKEYS];
	int fd = new_hash(NKEYS);

	fill(fd, 0, NKEYS);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (int round = 0; round < 10; round++) {
		memset(seen, 0, sizeof(seen));
		walk(fd, NULL, 64, seen, NKEYS);
		for (uint32_t k = 0; k < NKEYS; k++)
			cr_assert_eq(seen[k], 1);
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	cr_assert_gt(atomic_load(&signals), 0, "signals did arrive");
	close(fd);
}

Test(iter, exec_forgets_tokens_but_keeps_the_map, .timeout = 60)
{
	uint32_t keys[10], out, cnt = 10;
	uint64_t vals[10];
	char fdarg[16], tokarg[16], buf[256] = "";
	int fd = new_hash(NKEYS), p[2], status;
	ssize_t n;
	pid_t pid;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	/* The exec'd helper is not instrumented; this build's shim is. */
	cr_skip_test("needs an uninstrumented shim to preload");
#endif
	fill(fd, 0, 100);
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &out, keys, vals, &cnt, NULL), 0);
	/* Map fds are close-on-exec; a program handing one on clears that. */
	snprintf(fdarg, sizeof(fdarg), "%d", fcntl(fd, F_DUPFD, 100));
	snprintf(tokarg, sizeof(tokarg), "%u", out);
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		setenv("LD_PRELOAD", getenv("BPFBATCH_SO"), 1);
		execl(KERNELCHECK, "kernelcheck", "exec-token", fdarg, tokarg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	cr_assert_gt(n, 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_str_eq(buf, "old token: errno 2 count 0\nfresh walk: errno 2 total 100\n");
	close(fd);
}

/* LPM tries: the kernel's own walk restarts (and duplicates) when its token
 * key is deleted; the emulated walk, found again by that key, does not. */
struct lpm_key {
	uint32_t prefixlen;
	uint8_t addr[4];
};

#define NLPM 600

static int new_lpm(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, NULL, sizeof(struct lpm_key), 8, NLPM, &o);

	if (fd < 0)
		cr_skip_test("cannot create an LPM trie here: %s", strerror(errno));
	for (uint32_t i = 0; i < NLPM; i++) {
		struct lpm_key k = { 24 + i % 9, { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 } };
		uint64_t v = i;

		cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
	return fd;
}

static uint32_t lpm_index(const struct lpm_key *k)
{
	return (uint32_t)k->addr[1] << 8 | k->addr[2];
}

struct lpm_churn {
	int fd;
	atomic_bool stop;
};

static void *lpm_churn_thread(void *arg)
{
	struct lpm_churn *c = arg;
	uint32_t i = NLPM / 2;

	while (!atomic_load(&c->stop)) {
		struct lpm_key k = { 24 + i % 9, { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 } };
		uint64_t v = i;

		bpf_map_delete_elem(c->fd, &k);
		bpf_map_update_elem(c->fd, &k, &v, BPF_ANY);
		if (++i == NLPM)
			i = NLPM / 2;
	}
	return NULL;
}

static void lpm_walk(int fd, bool delete_returned, unsigned char *seen)
{
	struct lpm_key keys[7], out;
	uint64_t vals[7];
	void *in = NULL;
	int r, calls = 0;

	do {
		uint32_t cnt = 7;

		r = bpfbatch_map_lookup_batch(fd, in, &out, keys, vals, &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT, "lookup: %d", r);
		for (uint32_t i = 0; i < cnt; i++) {
			cr_assert_eq(vals[i], lpm_index(&keys[i]));
			seen[lpm_index(&keys[i])]++;
			if (delete_returned)
				cr_assert_eq(bpf_map_delete_elem(fd, &keys[i]), 0);
		}
		in = &out;
		cr_assert_lt(++calls, 10 * NLPM, "the walk must end");
	} while (r == 0);
}

Test(iter, lpm_lookup_then_delete_is_exact, .timeout = 60)
{
	unsigned char seen[NLPM] = { 0 };
	int fd = new_lpm();

	lpm_walk(fd, true, seen);
	for (uint32_t i = 0; i < NLPM; i++)
		cr_assert_eq(seen[i], 1, "prefix %u", i);
	close(fd);
}

Test(iter, lpm_walk_under_churn_is_exact, .timeout = 120)
{
	struct lpm_churn c = { .fd = new_lpm() };
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, lpm_churn_thread, &c), 0);
	for (int round = 0; round < 10; round++) {
		unsigned char seen[NLPM] = { 0 };

		lpm_walk(c.fd, false, seen);
		for (uint32_t i = 0; i < NLPM; i++) {
			cr_assert_leq(seen[i], 1, "prefix %u twice (round %d)", i, round);
			if (i < NLPM / 2)
				cr_assert_eq(seen[i], 1, "stable prefix %u lost (round %d)", i, round);
		}
	}
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	close(c.fd);
}
