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

#include "legacy.h"

void loop_walk(bool lookup)
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

/* bcc's clear(): for k in keys(): del t[k]. */
void loop_clear(void)
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
void loop_delete_odd(void)
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
void loop_pop_first(void)
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
void loop_update(void)
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

/* Delete the key the walk stands on, and every third time the key after it
 * too (known from an earlier walk, not asked): the walk must go on past
 * both, never answering a key this process deleted. */
void loop_delete_ahead(void)
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
