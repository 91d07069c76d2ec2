/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Legacy loops with company: a writer process, a second fd, threads. */
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

/* A writer process bumps the values of every 7th key of [0, n) and inserts
 * and deletes keys in [n, 2n) while we walk and look up. Valid answers: each
 * key it leaves alone at least once (a restart can repeat), values of some
 * generation the writer wrote; other keys any number of times. */
void loop_concurrent(void)
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

/* The same map through a second fd, as a tool that opens maps by id does:
 * walk and look up through one, write through the other. The walk must never
 * answer a key after this process deleted it, and must read its own updates.
 * Deletes are of keys other than the walk's own (so the kernel never restarts
 * and every answer, in order, is the kernel's); updates only where the
 * kernel updates in place (arrays, per-CPU hash), so the order stays put;
 * batch deletes on the hash family. */
void loop_two_fds(void)
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

void loop_threads(void)
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
	 * miss the keys the writer updates; the untouched ones it never may.
	 * Except in an LPM trie: its GET_NEXT_KEY walks the trie under RCU
	 * alone, and a delete that reshapes the trie during that walk can make
	 * it skip an untouched key. The kernel does this without the shim
	 * (sim 5.4, acceleration off, ASan build: 4 runs of 1,500 missed one), so
	 * no walk over it can promise that key. */
	for (int w = 0; w < WALKERS && g.type != BPF_MAP_TYPE_LPM_TRIE; w++)
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
