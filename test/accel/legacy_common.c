/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The legacy loops' map, keys, values and checks (legacy.h). */
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

#include "legacy.h"

struct legacy_globals g = { .n = 10000, .loop = "walk", .type_name = "hash", .type = BPF_MAP_TYPE_HASH };

void fail(const char *what, long a, long b)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* loop_threads */

	pthread_mutex_lock(&lock);
	if (g.bad++ < 5)
		fprintf(stderr, "legacy-loops: %s: %ld vs %ld\n", what, a, b);
	pthread_mutex_unlock(&lock);
}

void mix(const void *p, size_t len)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		g.digest = (g.digest ^ c[i]) * 0x100000001b3ULL;
}

bool is_array(void)
{
	return g.type == BPF_MAP_TYPE_ARRAY || g.type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

bool is_percpu(void)
{
	return g.type == BPF_MAP_TYPE_PERCPU_HASH || g.type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       g.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Key of index i, and back; -1 if it is not one of ours. */
void make_key(void *k, uint32_t i)
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

long index_of(const void *k)
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
void make_val(void *v, uint32_t i, uint64_t gen)
{
	for (uint32_t c = 0; c < g.ncpu; c++)
		((uint64_t *)v)[c] = i * 3ULL + gen;
}

/* The generation a value holds, or -1 if malformed. */
long val_gen(const void *v, uint32_t i)
{
	uint64_t x = ((const uint64_t *)v)[0];

	for (uint32_t c = 1; c < g.ncpu; c++)
		if (((const uint64_t *)v)[c] != x)
			return -1;
	return x >= i * 3ULL ? (long)(x - i * 3ULL) : -1;
}

int create(void)
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

void fill(int fd, uint32_t lo, uint32_t hi)
{
	char k[16], v[8 * 512];

	for (uint32_t i = lo; i < hi; i++) {
		make_key(k, i);
		make_val(v, i, 0);
		if (bpf_map_update_elem(fd, k, v, BPF_ANY))
			fail("fill", i, errno);
	}
}

void slow(void)
{
	if (g.slow_us)
		usleep(g.slow_us);
}

/* Fresh heap buffers per step, as bcc's ctypes objects are. */
void *fresh_key(void)
{
	return calloc(1, g.ks);
}

/* The answers of a walk, in order: digest, count, and how often each index. */
uint8_t *seen;

void saw(const void *k)
{
	long i = index_of(k);

	mix(k, g.ks);
	g.count++;
	if (i < 0)
		fail("foreign key", i, 0);
	else if (seen[i] < 255)
		seen[i]++;
}

int check_seen(uint32_t lo, uint32_t hi, int want_min, int want_max)
{
	int bad = 0;

	for (uint32_t i = lo; i < hi; i++)
		if (seen[i] < want_min || seen[i] > want_max) {
			if (!bad++)
				fail("times seen", i, seen[i]);
		}
	return bad;
}

/* Every key in the walk's order (untimed, before a loop that needs to know
 * what comes next without asking GET_NEXT_KEY). */
uint32_t *walk_order(void)
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

bool map_empty(void)
{
	char k[16];

	return bpf_map_get_next_key(g.fd, NULL, k) && errno == ENOENT;
}
