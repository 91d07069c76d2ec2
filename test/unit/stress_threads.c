/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The threaded cases without Criterion, whose runner cannot start under
 * ThreadSanitizer: threads walking one map (separate emulated iterations,
 * sharing the cursor table) while another deletes and re-inserts keys.
 * Exit 0 when every stable key came back exactly once in every walk.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfbatch.h"

#define NKEYS 2000
#define WALKERS 3

static int map_fd;
static atomic_bool stop;
static atomic_int failures;

static void fail(const char *what, unsigned int key, int round)
{
	fprintf(stderr, "stress: %s (key %u, round %d)\n", what, key, round);
	atomic_fetch_add(&failures, 1);
}

static void *walker(void *arg)
{
	uint32_t batch = (uint32_t)(uintptr_t)arg, keys[64], out;
	uint64_t vals[64];

	for (int round = 0; round < 10; round++) {
		unsigned char seen[NKEYS] = { 0 };
		void *in = NULL;
		int r, calls = 0;

		do {
			uint32_t cnt = batch;

			r = bpfbatch_map_lookup_batch(map_fd, in, &out, keys, vals, &cnt, NULL);
			if (r && r != -ENOENT) {
				fail("lookup failed", (unsigned int)-r, round);
				return NULL;
			}
			for (uint32_t i = 0; i < cnt; i++)
				if (keys[i] < NKEYS)
					seen[keys[i]]++;
			in = &out;
			if (++calls > 100000) {
				fail("walk did not end", 0, round);
				return NULL;
			}
		} while (r == 0);
		for (uint32_t k = 0; k < NKEYS; k++) {
			if (seen[k] > 1)
				fail("key returned twice", k, round);
			if (k < NKEYS / 2 && seen[k] != 1)
				fail("stable key lost", k, round);
		}
	}
	return NULL;
}

static void *churn(void *arg)
{
	uint32_t k = NKEYS / 2;

	(void)arg;
	while (!atomic_load(&stop)) {
		uint64_t v = k;

		bpf_map_delete_elem(map_fd, &k);
		bpf_map_update_elem(map_fd, &k, &v, BPF_ANY);
		if (++k == NKEYS)
			k = NKEYS / 2;
	}
	return NULL;
}

int main(void)
{
	pthread_t w[WALKERS], c;

	map_fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 8, NKEYS, NULL);
	if (map_fd < 0) {
		fprintf(stderr, "stress: cannot create a map: %s\n", strerror(errno));
		return 77; /* skipped */
	}
	for (uint32_t k = 0; k < NKEYS; k++) {
		uint64_t v = k;

		bpf_map_update_elem(map_fd, &k, &v, BPF_ANY);
	}
	pthread_create(&c, NULL, churn, NULL);
	for (int i = 0; i < WALKERS; i++)
		pthread_create(&w[i], NULL, walker, (void *)(uintptr_t)(1 + i * 29));
	for (int i = 0; i < WALKERS; i++)
		pthread_join(w[i], NULL);
	atomic_store(&stop, true);
	pthread_join(c, NULL);
	close(map_fd);
	if (atomic_load(&failures))
		return 1;
	printf("stress: %d walkers x 10 walks exact under churn\n", WALKERS);
	return 0;
}
