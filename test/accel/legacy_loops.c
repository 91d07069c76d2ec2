/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * legacy-loops: the single-element loops tools run on maps (bcc's items(),
 * clear(), a walk that deletes some keys, "pop the first key", a walk that
 * updates as it goes, a walk racing a writer process, bad pointers, a map fd
 * reused mid-walk, deleting the next key as well, writing through a second
 * fd of the map, threads walking while another writes), through libbpf, as an unmodified client would. It checks
 * each outcome against the kernel's documented guarantees itself and prints
 * one line: "loop=... type=... n=... count=... seq=<digest> ok=1". The
 * digest is of every answer in order, so a test can also compare runs with
 * and without BPFBATCH_ACCEL exactly where the answers must not differ.
 *
 *   legacy-loops --loop items --type hash --n 10000 [--slow-us 0]
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KS 8 /* keys: u64, the index i as 1000003 * i + 7 */

struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[8];
};

static struct {
	const char *loop, *type_name;
	enum bpf_map_type type;
	uint32_t n, ks, vs, ncpu, slow_us;
	int fd;
	uint64_t digest;
	long count;
	int bad; /* checks that failed */
} g = { .n = 10000, .loop = "walk", .type_name = "hash", .type = BPF_MAP_TYPE_HASH };

static void fail(const char *what, long a, long b)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* loop_threads */

	pthread_mutex_lock(&lock);
	if (g.bad++ < 5)
		fprintf(stderr, "legacy-loops: %s: %ld vs %ld\n", what, a, b);
	pthread_mutex_unlock(&lock);
}

static void mix(const void *p, size_t len)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		g.digest = (g.digest ^ c[i]) * 0x100000001b3ULL;
}

static bool is_array(void)
{
	return g.type == BPF_MAP_TYPE_ARRAY || g.type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool is_percpu(void)
{
	return g.type == BPF_MAP_TYPE_PERCPU_HASH || g.type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       g.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Key of index i, and back; -1 if it is not one of ours. */
static void make_key(void *k, uint32_t i)
{
	if (is_array()) {
		*(uint32_t *)k = i;
	} else if (g.type == BPF_MAP_TYPE_LPM_TRIE) {
		struct lpm_key *l = k;
		uint64_t v = 1000003ULL * i + 7;

		l->prefixlen = 64;
		memcpy(l->data, &v, 8);
	} else {
		*(uint64_t *)k = 1000003ULL * i + 7;
	}
}

static long index_of(const void *k)
{
	uint64_t v;

	if (is_array())
		return *(const uint32_t *)k < g.n ? (long)*(const uint32_t *)k : -1;
	if (g.type == BPF_MAP_TYPE_LPM_TRIE)
		memcpy(&v, ((const struct lpm_key *)k)->data, 8);
	else
		memcpy(&v, k, 8);
	if (v < 7 || (v - 7) % 1000003ULL || (v - 7) / 1000003ULL >= 4ULL * g.n)
		return -1;
	return (long)((v - 7) / 1000003ULL);
}

/* Value of index i at generation gen: every CPU slot holds i * 3 + gen. */
static void make_val(void *v, uint32_t i, uint64_t gen)
{
	for (uint32_t c = 0; c < g.ncpu; c++)
		((uint64_t *)v)[c] = i * 3ULL + gen;
}

/* The generation a value holds, or -1 if malformed. */
static long val_gen(const void *v, uint32_t i)
{
	uint64_t x = ((const uint64_t *)v)[0];

	for (uint32_t c = 1; c < g.ncpu; c++)
		if (((const uint64_t *)v)[c] != x)
			return -1;
	return x >= i * 3ULL ? (long)(x - i * 3ULL) : -1;
}

static int create(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);

	/* A fixed hash seed: the same fill gives the same walk order in every
	 * run, so runs with and without acceleration can be compared. */
	if (g.type == BPF_MAP_TYPE_LPM_TRIE)
		o.map_flags = BPF_F_NO_PREALLOC;
	else if (!is_array())
		o.map_flags = BPF_F_ZERO_SEED;
	/* Hash maps have room for the concurrent writer's keys [n, 2n). */
	return bpf_map_create(g.type, "legacy", g.ks, 8, is_array() ? g.n : g.n * 2, &o);
}

static void fill(int fd, uint32_t lo, uint32_t hi)
{
	char k[16], v[8 * 512];

	for (uint32_t i = lo; i < hi; i++) {
		make_key(k, i);
		make_val(v, i, 0);
		if (bpf_map_update_elem(fd, k, v, BPF_ANY))
			fail("fill", i, errno);
	}
}

static void slow(void)
{
	if (g.slow_us)
		usleep(g.slow_us);
}

/* Fresh heap buffers per step, as bcc's ctypes objects are. */
static void *fresh_key(void)
{
	return calloc(1, g.ks);
}

/* The answers of a walk, in order: digest, count, and how often each index. */
static uint8_t *seen;

static void saw(const void *k)
{
	long i = index_of(k);

	mix(k, g.ks);
	g.count++;
	if (i < 0)
		fail("foreign key", i, 0);
	else if (seen[i] < 255)
		seen[i]++;
}

static int check_seen(uint32_t lo, uint32_t hi, int want_min, int want_max)
{
	int bad = 0;

	for (uint32_t i = lo; i < hi; i++)
		if (seen[i] < want_min || seen[i] > want_max) {
			if (!bad++)
				fail("times seen", i, seen[i]);
		}
	return bad;
}

static void loop_walk(bool lookup)
{
	void *prev = NULL;

	for (;;) {
		void *k = fresh_key(), *v = malloc(8 * g.ncpu);
		int r = bpf_map_get_next_key(g.fd, prev, k);

		free(prev);
		prev = k;
		if (r) {
			if (errno != ENOENT)
				fail("get_next_key", errno, ENOENT);
			free(v);
			break;
		}
		saw(k);
		if (lookup) {
			long i = index_of(k);

			if (bpf_map_lookup_elem(g.fd, k, v))
				fail("lookup", errno, 0);
			else if (i >= 0 && val_gen(v, (uint32_t)i) != 0)
				fail("value", val_gen(v, (uint32_t)i), 0);
			mix(v, 8 * g.ncpu);
		}
		free(v);
		slow();
	}
	free(prev);
	check_seen(0, g.n, 1, 1);
}

static bool map_empty(void)
{
	char k[16];

	return bpf_map_get_next_key(g.fd, NULL, k) && errno == ENOENT;
}

/* bcc's clear(): for k in keys(): del t[k]. */
static void loop_clear(void)
{
	void *prev = NULL;

	for (;;) {
		void *k = fresh_key();
		int r = bpf_map_get_next_key(g.fd, prev, k);

		free(prev);
		prev = k;
		if (r)
			break;
		saw(k);
		if (bpf_map_delete_elem(g.fd, k))
			fail("delete", errno, 0);
		slow();
	}
	free(prev);
	if (!map_empty())
		fail("empty after clear", 0, 1);
	check_seen(0, g.n, 1, 1);
}

/* Delete the odd indices while walking: the kernel restarts after each, so
 * it may answer a key more than once; every key at least once, every odd
 * key deleted exactly once, the even ones kept. */
static void loop_delete_odd(void)
{
	char k[16], prev[16];
	bool have = false;
	long deleted = 0;

	while (bpf_map_get_next_key(g.fd, have ? prev : NULL, k) == 0) {
		long i = index_of(k);

		saw(k);
		if (i >= 0 && i % 2) {
			if (bpf_map_delete_elem(g.fd, k) == 0)
				deleted++;
			else
				fail("delete odd", errno, 0);
		}
		memcpy(prev, k, g.ks);
		have = true;
		slow();
	}
	if (deleted != g.n / 2)
		fail("odd keys deleted", deleted, g.n / 2);
	for (uint32_t i = 0; i < g.n; i++) {
		char v[8 * 512];

		make_key(k, i);
		if ((bpf_map_lookup_elem(g.fd, k, v) == 0) != (i % 2 == 0))
			fail("kept even keys", i, errno);
	}
	check_seen(0, g.n, 1, 255);
	g.digest = 0; /* the order may differ from the kernel's (restarts) */
	g.count = 0;
}

/* while ((k = first key)) delete(k) */
static void loop_pop_first(void)
{
	char k[16];

	while (bpf_map_get_next_key(g.fd, NULL, k) == 0) {
		saw(k);
		if (bpf_map_delete_elem(g.fd, k))
			fail("delete first", errno, 0);
		slow();
	}
	if (errno != ENOENT)
		fail("end", errno, ENOENT);
	check_seen(0, g.n, 1, 1);
}

/* Walk, bump each value, read it back: a process sees its own writes. An
 * update moves a hash key to the head of its bucket, so the kernel's walk
 * can come back to keys it answered (forever, in a two-key bucket): stop
 * once every key was seen. */
static void loop_update(void)
{
	char k[16], prev[16], v[8 * 512];
	bool have = false;
	uint32_t distinct = 0;

	while (distinct < g.n && bpf_map_get_next_key(g.fd, have ? prev : NULL, k) == 0) {
		long i = index_of(k);
		long gen;

		if (i < 0)
			break;
		saw(k);
		gen = seen[i] > 1 ? 1 : 0;
		if (bpf_map_lookup_elem(g.fd, k, v) || val_gen(v, (uint32_t)i) != gen)
			fail("before update", i, val_gen(v, (uint32_t)i));
		if (!gen) {
			distinct++;
			make_val(v, (uint32_t)i, 1);
			if (bpf_map_update_elem(g.fd, k, v, BPF_EXIST))
				fail("update", i, errno);
			memset(v, 0, sizeof(v));
			if (bpf_map_lookup_elem(g.fd, k, v) || val_gen(v, (uint32_t)i) != 1)
				fail("read own write", i, val_gen(v, (uint32_t)i));
		}
		memcpy(prev, k, g.ks);
		have = true;
		slow();
	}
	check_seen(0, g.n, 1, 255);
	g.digest = 0; /* revisits depend on bucket layout */
	g.count = 0;
}

/* A writer process bumps the values of every 7th key of [0, n) and inserts
 * and deletes keys in [n, 2n) while we walk and look up. Valid answers: each
 * key it leaves alone at least once (a restart can repeat), values of some
 * generation the writer wrote; other keys any number of times. */
static void loop_concurrent(void)
{
	pid_t pid = fork();
	char k[16], prev[16], v[8 * 512];
	bool have = false;

	if (pid < 0)
		fail("fork", errno, 0);
	if (pid == 0) { /* the writer, until killed: a generation a millisecond */
		for (uint64_t gen = 1;; gen++, usleep(1000))
			for (uint32_t i = 0; i < g.n; i += 7) {
				make_key(k, i);
				make_val(v, i, gen);
				bpf_map_update_elem(g.fd, k, v, BPF_EXIST);
				make_key(k, g.n + (uint32_t)((i + gen) % g.n));
				make_val(v, 0, 0);
				if (gen % 2)
					bpf_map_update_elem(g.fd, k, v, BPF_ANY);
				else
					bpf_map_delete_elem(g.fd, k);
			}
	}
	usleep(1000);
	while (bpf_map_get_next_key(g.fd, have ? prev : NULL, k) == 0) {
		long i = index_of(k);

		if (i < 0)
			fail("foreign key", 0, 0);
		if (i >= 0 && i < (long)g.n) {
			saw(k);
			if (bpf_map_lookup_elem(g.fd, k, v) == 0 && val_gen(v, (uint32_t)i) < 0)
				fail("torn value", i, 0);
		}
		memcpy(prev, k, g.ks);
		have = true;
		slow();
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* An update moves a hash key to the head of its bucket: a walk may miss
	 * or repeat the keys the writer updates. The others: at least once. */
	for (uint32_t i = 0; i < g.n; i++)
		if (i % 7 && !seen[i])
			fail("untouched key never seen", i, 0);
	g.digest = 0;
	g.count = 0;
}

/* Every key in the walk's order (untimed, before a loop that needs to know
 * what comes next without asking GET_NEXT_KEY). */
static uint32_t *walk_order(void)
{
	uint32_t *order = calloc(g.n, sizeof(*order)), n = 0;
	char k[16], prev[16];

	while (order && n < g.n && bpf_map_get_next_key(g.fd, n ? prev : NULL, k) == 0) {
		order[n++] = (uint32_t)index_of(k);
		memcpy(prev, k, g.ks);
	}
	if (n != g.n)
		fail("walk order", n, g.n);
	return order;
}

/* Delete the key the walk stands on, and every third time the key after it
 * too (known from an earlier walk, not asked): the walk must go on past
 * both, never answering a key this process deleted. */
static void loop_delete_ahead(void)
{
	uint32_t *order = walk_order(), *pos = calloc(g.n, sizeof(*pos));
	uint8_t *gone = calloc(g.n, 1);
	char k[16], prev[16], s[16];
	bool have = false;

	if (!order || !pos || !gone) {
		fail("memory", 0, 0);
		return;
	}
	for (uint32_t p = 0; p < g.n; p++)
		pos[order[p]] = p;
	while (bpf_map_get_next_key(g.fd, have ? prev : NULL, k) == 0) {
		long i = index_of(k);
		uint32_t p;

		if (i < 0)
			break;
		saw(k);
		if (gone[i])
			fail("answered a key deleted before", i, 0);
		if (bpf_map_delete_elem(g.fd, k))
			fail("delete", i, errno);
		gone[i] = 1;
		p = pos[i] + 1;
		if (p < g.n && p % 3 == 0 && !gone[order[p]]) {
			make_key(s, order[p]);
			if (bpf_map_delete_elem(g.fd, s))
				fail("delete the next", order[p], errno);
			gone[order[p]] = 1;
		}
		memcpy(prev, k, g.ks);
		have = true;
		slow();
	}
	if (!map_empty())
		fail("empty at the end", 0, 1);
	/* Each key once, except those deleted before their turn: never. */
	for (uint32_t i = 0; i < g.n; i++)
		if (seen[i] > 1)
			fail("seen twice", i, seen[i]);
	free(order);
	free(pos);
	free(gone);
}

/* The same map through a second fd, as a tool that opens maps by id does:
 * walk and look up through one, write through the other. The walk must never
 * answer a key after this process deleted it, and must read its own updates.
 * Deletes are of keys other than the walk's own (so the kernel never restarts
 * and every answer, in order, is the kernel's); updates only where the
 * kernel updates in place (arrays, per-CPU hash), so the order stays put;
 * batch deletes on the hash family. */
static void loop_two_fds(void)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	bool inplace = is_array() || g.type == BPF_MAP_TYPE_PERCPU_HASH;
	bool batch = !is_array() && g.type != BPF_MAP_TYPE_LPM_TRIE;
	uint8_t *gone = calloc(g.n, 1), *gen = calloc(g.n, 1);
	char k[16], prev[16], w[4 * 16], v[8 * 512];
	bool have = false;
	uint32_t step = 0;
	int other;

	memset(&info, 0, sizeof(info));
	if (!gone || !gen || bpf_obj_get_info_by_fd(g.fd, &info, &len) ||
	    (other = bpf_map_get_fd_by_id(info.id)) < 0) {
		fail("second fd", errno, 0);
		return;
	}
	while (bpf_map_get_next_key(g.fd, have ? prev : NULL, k) == 0) {
		long i = index_of(k);
		uint32_t j = (uint32_t)((i * 7 + 3) % g.n);

		if (i < 0)
			break;
		saw(k);
		if (gone[i])
			fail("answered a key deleted through the other fd", i, 0);
		if (bpf_map_lookup_elem(g.fd, k, v) || val_gen(v, (uint32_t)i) != gen[i])
			fail("own write through the other fd not read", i, val_gen(v, (uint32_t)i));
		mix(v, 8 * g.ncpu);
		if (step % 4 == 0 && !is_array() && j != i && !gone[j]) {
			make_key(w, j);
			if (bpf_map_delete_elem(other, w))
				fail("delete through the other fd", j, errno);
			gone[j] = 1;
		}
		if (step % 4 == 2 && inplace && !gone[j]) {
			make_key(w, j);
			make_val(v, j, 2);
			if (bpf_map_update_elem(other, w, v, BPF_EXIST))
				fail("update through the other fd", j, errno);
			gen[j] = 2;
		}
		if (step % 64 == 32 && batch) {
			__u32 cnt = 0;

			for (uint32_t c = 0; c < 4; c++) {
				uint32_t d = (uint32_t)((i * 13 + 5 + c * 101) % g.n);

				if (d != i && !gone[d]) {
					make_key(w + cnt * g.ks, d);
					gone[d] = 1;
					cnt++;
				}
			}
			if (cnt && bpf_map_delete_batch(other, w, &cnt, NULL))
				fail("batch delete through the other fd", errno, 0);
		}
		memcpy(prev, k, g.ks);
		have = true;
		step++;
		slow();
	}
	if (errno != ENOENT)
		fail("end", errno, ENOENT);
	for (uint32_t i = 0; i < g.n; i++)
		if (seen[i] > 1 || (!gone[i] && seen[i] != 1))
			fail("times seen", i, seen[i]);
	close(other);
	free(gone);
	free(gen);
}

/* Threads of one process on one fd: three walk and look up, one deletes
 * every fifth key (not on arrays) and bumps the values of the keys after
 * them. Each walker: every key nobody touched at least once (a kernel walk
 * restarts when its key is deleted under it), and only whole values. */
#define WALKERS 3

static void *walker(void *arg)
{
	uint8_t *mine = arg;
	char k[16], prev[16], v[8 * 512];
	bool have = false;

	while (bpf_map_get_next_key(g.fd, have ? prev : NULL, k) == 0) {
		long i = index_of(k);

		if (i < 0 || i >= (long)g.n) {
			fail("foreign key", i, 0);
			break;
		}
		if (mine[i] < 255)
			mine[i]++;
		if (bpf_map_lookup_elem(g.fd, k, v) == 0 && val_gen(v, (uint32_t)i) < 0)
			fail("torn value", i, 0);
		memcpy(prev, k, g.ks);
		have = true;
	}
	if (errno != ENOENT)
		fail("walker end", errno, ENOENT);
	return NULL;
}

static void *writer(void *arg)
{
	char k[16], v[8 * 512];

	(void)arg;
	for (uint32_t i = 0; i < g.n; i++) {
		make_key(k, i);
		if (i % 5 == 0 && !is_array()) {
			if (bpf_map_delete_elem(g.fd, k))
				fail("thread delete", i, errno);
		} else if (i % 5 == 1) {
			make_val(v, i, 1);
			if (bpf_map_update_elem(g.fd, k, v, BPF_EXIST))
				fail("thread update", i, errno);
		}
	}
	return NULL;
}

static void loop_threads(void)
{
	pthread_t t[WALKERS + 1];
	uint8_t *mine = calloc((size_t)WALKERS * g.n, 1);

	if (!mine) {
		fail("memory", 0, 0);
		return;
	}
	for (int w = 0; w < WALKERS; w++)
		if (pthread_create(&t[w], NULL, walker, mine + (size_t)w * g.n))
			fail("thread", w, 0);
	if (pthread_create(&t[WALKERS], NULL, writer, NULL))
		fail("thread", WALKERS, 0);
	for (int w = 0; w <= WALKERS; w++)
		pthread_join(t[w], NULL);
	/* An update moves a hash key to the head of its bucket, so a walk may
	 * miss the keys the writer updates; the untouched ones it never may. */
	for (int w = 0; w < WALKERS; w++)
		for (uint32_t i = 0; i < g.n; i++)
			if (i % 5 > 1 && !mine[(size_t)w * g.n + i])
				fail("untouched key never seen", i, w);
	for (uint32_t i = 0; i < g.n; i++) {
		char k[16], v[8 * 512];
		bool there;

		make_key(k, i);
		there = bpf_map_lookup_elem(g.fd, k, v) == 0;
		if (there != (i % 5 != 0 || is_array()) ||
		    (there && val_gen(v, i) != (i % 5 == 1 ? 1 : 0)))
			fail("after the threads", i, there);
	}
	free(mine);
	g.digest = 0;
	g.count = 0;
}

/* Raw bpf(), to pass what libbpf never would. */
static long sys_bpf(int cmd, void *attr, unsigned int size)
{
	long r = syscall(__NR_bpf, cmd, attr, size);

	return r < 0 ? -errno : r;
}

struct elem_attr {
	uint32_t map_fd, pad;
	uint64_t key, value, flags;
};

static long elem(int cmd, const void *k, void *v, uint64_t flags, unsigned int size)
{
	struct elem_attr a = { .map_fd = (uint32_t)g.fd, .key = (uintptr_t)k,
			       .value = (uintptr_t)v, .flags = flags };

	return sys_bpf(cmd, &a, size);
}

/* Bad input in the middle of a walk: every answer printed, for a test to
 * compare with the kernel's. */
static void loop_errors(void)
{
	char k[16], prev[16], v[8 * 512];
	long r[12];

	r[0] = elem(BPF_MAP_GET_NEXT_KEY, NULL, k, 0, 24);
	r[1] = elem(BPF_MAP_LOOKUP_ELEM, k, (void *)8, 0, 32);        /* bad value */
	r[2] = elem(BPF_MAP_GET_NEXT_KEY, k, (void *)8, 0, 24);       /* bad next_key */
	r[3] = elem(BPF_MAP_GET_NEXT_KEY, (void *)8, prev, 0, 24);    /* bad key */
	r[4] = elem(BPF_MAP_GET_NEXT_KEY, k, prev, 1, 32);            /* flags: not its field */
	r[5] = elem(BPF_MAP_LOOKUP_ELEM, k, v, 1ULL << 40, 32);       /* unknown flag */
	r[6] = elem(BPF_MAP_GET_NEXT_KEY, k, prev, 0, 24);
	memcpy(k, prev, g.ks);
	r[7] = elem(BPF_MAP_DELETE_ELEM, k, NULL, 0, 32);
	r[8] = elem(BPF_MAP_LOOKUP_ELEM, k, v, 0, 32);                /* own delete: ENOENT */
	r[9] = elem(BPF_MAP_GET_NEXT_KEY, k, prev, 0, 24);            /* after it */
	r[10] = elem(BPF_MAP_LOOKUP_ELEM, NULL, v, 0, 32);
	r[11] = sys_bpf(BPF_MAP_GET_NEXT_KEY, (void *)8, 24);          /* bad attr */
	for (int i = 0; i < 12; i++) {
		printf("errors r%d=%ld\n", i, r[i]);
		mix(&r[i], sizeof(r[i]));
	}
	if (is_array() && r[7] != -EINVAL)
		fail("array delete", r[7], -EINVAL);
	if (!is_array() && (r[7] != 0 || r[8] != -ENOENT))
		fail("own delete", r[7], r[8]);
}

/* Walk map A half way, close it, make map B (the same fd number) with other
 * values, and go on with A's key on B: the answers must be B's. */
static void loop_fd_reuse(void)
{
	char k[16], prev[16], v[8 * 512];
	int fd = g.fd, b;
	uint32_t half = g.n / 2;

	for (uint32_t i = 0; i < half; i++)
		if (bpf_map_get_next_key(g.fd, i ? prev : NULL, k) == 0)
			memcpy(prev, k, g.ks);
	if (bpf_map_lookup_elem(g.fd, k, v))
		fail("lookup A", errno, 0);
	close(g.fd);
	b = create();
	if (b != fd)
		fail("fd reused", b, fd);
	g.fd = b;
	/* B: the same keys, generation 5, filled by another process */
	if (fork() == 0) {
		char kk[16], vv[8 * 512];

		for (uint32_t i = 0; i < g.n; i++) {
			make_key(kk, i);
			make_val(vv, i, 5);
			bpf_map_update_elem(b, kk, vv, BPF_ANY);
		}
		_exit(0);
	}
	wait(NULL);
	if (bpf_map_lookup_elem(g.fd, k, v) || val_gen(v, (uint32_t)index_of(k)) != 5)
		fail("lookup on B", val_gen(v, (uint32_t)index_of(k)), 5);
	if (bpf_map_get_next_key(g.fd, k, prev) == 0)
		saw(prev);
	if (bpf_map_lookup_elem(g.fd, prev, v) || val_gen(v, (uint32_t)index_of(prev)) != 5)
		fail("next on B", val_gen(v, (uint32_t)index_of(prev)), 5);
	memset(seen, 0, g.n * 4);
	g.count = 0;
	{
		bool have = false;

		while (bpf_map_get_next_key(g.fd, have ? prev : NULL, k) == 0) {
			saw(k);
			if (bpf_map_lookup_elem(g.fd, k, v) ||
			    val_gen(v, (uint32_t)index_of(k)) != 5)
				fail("walk of B", index_of(k), 0);
			memcpy(prev, k, g.ks);
			have = true;
		}
	}
	check_seen(0, g.n, 1, 1);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		enum bpf_map_type type;
	} types[] = {
		{ "hash", BPF_MAP_TYPE_HASH },		   { "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH },
		{ "lru_hash", BPF_MAP_TYPE_LRU_HASH },	   { "array", BPF_MAP_TYPE_ARRAY },
		{ "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY }, { "lpm", BPF_MAP_TYPE_LPM_TRIE },
	};
	static const struct {
		const char *name;
		void (*fn)(void);
		bool deletes;
	} loops[] = {
		{ "walk", NULL, false },	   { "items", NULL, false },
		{ "clear", loop_clear, true },	   { "delete-odd", loop_delete_odd, true },
		{ "pop-first", loop_pop_first, true }, { "update", loop_update, false },
		{ "concurrent", loop_concurrent, true }, { "errors", loop_errors, false },
		{ "fd-reuse", loop_fd_reuse, false }, { "delete-ahead", loop_delete_ahead, true },
		{ "two-fds", loop_two_fds, false },	   { "threads", loop_threads, false },
	};
	size_t li = 0;
	bool found = false;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--loop") == 0)
			g.loop = argv[i + 1];
		else if (strcmp(argv[i], "--type") == 0)
			g.type_name = argv[i + 1];
		else if (strcmp(argv[i], "--n") == 0)
			g.n = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--slow-us") == 0)
			g.slow_us = (uint32_t)strtoul(argv[i + 1], NULL, 0);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, g.type_name) == 0) {
			g.type = types[i].type;
			found = true;
		}
	for (li = 0; li < sizeof(loops) / sizeof(loops[0]); li++)
		if (strcmp(loops[li].name, g.loop) == 0)
			break;
	if (!found || li == sizeof(loops) / sizeof(loops[0]) || !g.n) {
		fprintf(stderr, "usage: legacy-loops --loop L --type T [--n N] [--slow-us U]\n");
		return 2;
	}
	g.ncpu = is_percpu() ? (uint32_t)libbpf_num_possible_cpus() : 1;
	g.ks = is_array() ? 4 : g.type == BPF_MAP_TYPE_LPM_TRIE ? sizeof(struct lpm_key) : KS;
	g.digest = 0xcbf29ce484222325ULL;
	seen = calloc(4 * (size_t)g.n, 1);
	g.fd = create();
	if (g.fd < 0 || !seen) {
		fprintf(stderr, "legacy-loops: map: %s\n", strerror(errno));
		return 1;
	}
	fill(g.fd, 0, g.n);
	if (is_array() && loops[li].deletes) {
		printf("loop=%s type=%s skipped (arrays have no delete)\n", g.loop, g.type_name);
		return 0;
	}
	if (loops[li].fn)
		loops[li].fn();
	else
		loop_walk(strcmp(g.loop, "items") == 0);
	printf("loop=%s type=%s n=%u count=%ld seq=%016llx ok=%d\n", g.loop, g.type_name, g.n,
	       g.count, (unsigned long long)g.digest, g.bad == 0);
	return g.bad != 0;
}
