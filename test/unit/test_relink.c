/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Walks stay exact when updates re-link keys (issue 12): in HASH and
 * LRU_HASH an update of a present key links a new element at the head of
 * its bucket, behind a walk standing inside that bucket. Built into
 * test-tokens, so it runs emulated and under `bpfbatch sim` 5.4 and 4.14.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfbatch.h"
#include "guard.h"
#include "platform/stats.h"

#define RL_KEYS 300
#define RL_MAX 512 /* 512 buckets: many hold two keys or more */

struct relink_case {
	enum bpf_map_type type;
	uint32_t batch;
	uint64_t flags; /* of the updates between calls */
	bool del;       /* lookup-and-delete */
	uint32_t drop;  /* also delete returned keys k with k % drop == 0 (0: none) */
	uint32_t ins;   /* also insert this many new keys between calls (early on) */
};

static int relink_map(enum bpf_map_type type)
{
	int fd = bpf_map_create(type, NULL, 4, 8, RL_MAX, NULL), ncpu = libbpf_num_possible_cpus();
	uint64_t *v = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(*v)); /* per-CPU: one each */

	if (fd < 0)
		cr_skip_test("cannot create a BPF map here (need root): %s", strerror(errno));
	cr_assert(v && ncpu > 0);
	for (uint32_t k = 0; k < RL_KEYS; k++) {
		v[0] = k;
		cr_assert_eq(bpf_map_update_elem(fd, &k, v, BPF_ANY), 0);
	}
	free(v);
	return fd;
}

ParameterizedTestParameters(tokens, updates_between_calls_lose_no_key)
{
	static struct relink_case cases[] = {
		{ BPF_MAP_TYPE_HASH, 1, BPF_ANY, false, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 3, BPF_EXIST, false, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 17, BPF_ANY, false, 0, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, 1, BPF_EXIST, false, 0, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, 5, BPF_EXIST, false, 0, 0 },
		{ BPF_MAP_TYPE_PERCPU_HASH, 2, BPF_ANY, false, 0, 0 }, /* updates in place */
		{ BPF_MAP_TYPE_HASH, 2, BPF_EXIST, true, 0, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, 1, BPF_EXIST, true, 0, 0 },
		/* returned keys deleted too: a look-back must not start from one
		 * (the kernel restarts from the first key) */
		{ BPF_MAP_TYPE_HASH, 5, BPF_ANY, false, 2, 0 },
		{ BPF_MAP_TYPE_HASH, 20, BPF_EXIST, false, 3, 0 },
		{ BPF_MAP_TYPE_HASH, 30, BPF_ANY, false, 2, 0 },
		{ BPF_MAP_TYPE_HASH, 9, BPF_ANY, false, 4, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, 7, BPF_EXIST, false, 2, 0 },
		/* keys inserted behind the walk: a look-back that fills the
		 * count leaves the frontier behind keys listed before it */
		{ BPF_MAP_TYPE_HASH, 3, BPF_ANY, false, 0, 5 },
		{ BPF_MAP_TYPE_HASH, 4, BPF_ANY, false, 3, 4 },
	};

	return cr_make_param_array(struct relink_case, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Between calls every key not returned yet gets a new value, so keys in the
 * bucket the walk stands in move ahead of it: each key comes
 * back exactly once, with a value it had. (An LRU update of a present key
 * may evict another one: only keys present at the end are held to that, and
 * BPF_EXIST brings none back.) */
ParameterizedTest(struct relink_case *rc, tokens, updates_between_calls_lose_no_key)
{
	int fd = relink_map(rc->type);
	int ncpu = libbpf_num_possible_cpus();
	uint32_t keys[32], out, tok = 0, cnt, seen[RL_MAX] = { 0 }, gen = 0, k, added = 0;
	bool percpu = rc->type == BPF_MAP_TYPE_PERCPU_HASH;
	uint64_t *vals = calloc(32 * (size_t)(percpu ? ncpu : 1), sizeof(uint64_t));
	uint64_t *nv = calloc((size_t)(percpu ? ncpu : 1), sizeof(uint64_t));
	int r = 0, calls = 0;

	cr_assert(vals && nv && ncpu > 0);
	while (r == 0) {
		cnt = rc->batch;
		r = (rc->del ? bpfbatch_map_lookup_and_delete_batch : bpfbatch_map_lookup_batch)(
			fd, calls ? &tok : NULL, &out, keys, vals, &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT, "call %d: %d", calls, r);
		for (uint32_t i = 0; i < cnt; i++) {
			cr_assert_lt(keys[i], RL_KEYS + added);
			cr_assert_eq(vals[i * (percpu ? ncpu : 1)] % 1000, keys[i]);
			seen[keys[i]]++;
		}
		tok = out;
		gen++;
		for (uint32_t i = 0; i < rc->ins && RL_KEYS + added < RL_MAX - 64; i++) {
			k = RL_KEYS + added++;
			nv[0] = k; /* generation 0 */
			cr_assert_eq(bpf_map_update_elem(fd, &k, nv, BPF_NOEXIST), 0);
		}
		for (uint32_t i = 0; rc->drop && i < cnt; i++)
			if (keys[i] % rc->drop == 0)
				cr_assert_eq(bpf_map_delete_elem(fd, &keys[i]), 0);
		/* in an order of its own each time: updating keys in the order
		 * they were inserted would keep each bucket's order */
		for (uint32_t i = 0; i < RL_KEYS; i++) {
			k = (gen * 131 + i * 97) % RL_KEYS;
			if (seen[k])
				continue;
			nv[0] = (uint64_t)gen * 1000 + k;
			bpf_map_update_elem(fd, &k, nv, rc->flags); /* LRU: k may be gone */
		}
		cr_assert_lt(++calls, 2 * RL_KEYS);
	}
	for (k = 0; k < RL_KEYS + added; k++) {
		cr_assert_leq(seen[k], 1, "key %u returned %u times", k, seen[k]);
		if (k >= RL_KEYS) /* inserted during the walk: may or may not come */
			continue;
		if (bpf_map_lookup_elem(fd, &k, vals) == 0)
			cr_assert_eq(seen[k], 1, "type %d batch %u del %d: key %u, present throughout, missed",
				     rc->type, rc->batch, rc->del, k);
		else if (rc->del && rc->type == BPF_MAP_TYPE_HASH)
			cr_assert_eq(seen[k], 1, "key %u, present until drained, missed", k);
	}
	if (rc->del && rc->type == BPF_MAP_TYPE_HASH)
		cr_assert_eq(bpf_map_get_next_key(fd, NULL, &k), -ENOENT, "map drained");
	free(vals);
	free(nv);
	close(fd);
}

/* The lookup-then-delete pattern, with the keys ahead updated too: exact,
 * and linear (a walk that restarted from the first key at every call would
 * pass every remaining key again). */
Test(tokens, lookup_then_delete_with_updates_stays_exact_and_linear)
{
	int fd = relink_map(BPF_MAP_TYPE_HASH);
	uint32_t keys[8], out, tok = 0, cnt, seen[RL_KEYS] = { 0 }, k;
	uint64_t vals[8], before = bb_stat_get(BB_STAT_BPF_SYSCALLS), spent;
	int r = 0, calls = 0;

	while (r == 0) {
		cnt = 4;
		r = bpfbatch_map_lookup_batch(fd, calls ? &tok : NULL, &out, keys, vals, &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT, "call %d: %d", calls, r);
		spent = bb_stat_get(BB_STAT_BPF_SYSCALLS);
		for (uint32_t i = 0; i < cnt; i++) {
			seen[keys[i]]++;
			cr_assert_eq(bpf_map_delete_elem(fd, &keys[i]), 0);
		}
		for (k = 0; k < RL_KEYS; k += 7) {
			uint64_t v = k;

			if (!seen[k])
				cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
		}
		cr_assert_eq(bb_stat_get(BB_STAT_BPF_SYSCALLS), spent, "the test's own calls");
		tok = out;
		cr_assert_lt(++calls, RL_KEYS);
	}
	for (k = 0; k < RL_KEYS; k++)
		cr_assert_eq(seen[k], 1, "key %u returned %u times", k, seen[k]);
	spent = bb_stat_get(BB_STAT_BPF_SYSCALLS) - before;
	/* 2 per element, a look-back of at most 16 and a few more per call */
	cr_assert_lt(spent, 3 * RL_KEYS + (uint64_t)calls * 24, "%lu syscalls, %d calls",
		     (unsigned long)spent, calls);
	close(fd);
}

/* A lookup-and-delete that looks back (its first key was deleted, then
 * inserted again) and whose keys end part-way through a third slot: the map
 * ends first, so the call is served; it writes no key past its count and
 * returns exactly what it deleted (the look-back and the walk on from the
 * start key are checked as one call). */
Test(tokens, a_drain_that_looks_back_is_checked_as_one_call)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 8, 64, NULL);
	uint32_t k[2] = { 7, 9 }, out[1], tok, cnt = 1, *keys = ends_at_guard(2 * 4 + 3), left = 0;
	uint64_t v = 1, vals[50];

	if (fd < 0)
		cr_skip_test("cannot create a BPF map here (need root): %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		cr_assert_eq(bpf_map_update_elem(fd, &k[i], &v, BPF_ANY), 0);
	cr_assert_eq(bpfbatch_map_lookup_and_delete_batch(fd, NULL, &tok, out, vals, &cnt, NULL), 0);
	cr_assert_eq(cnt, 1);
	cr_assert_eq(bpf_map_update_elem(fd, &out[0], &v, BPF_ANY), 0); /* behind the walk */
	memset(keys, 0xab, 2 * 4 + 3);
	cnt = 50;
	cr_assert_eq(bpfbatch_map_lookup_and_delete_batch(fd, &tok, &tok, keys, vals, &cnt, NULL),
		     -ENOENT);
	cr_assert_geq(cnt, 1);
	cr_assert_leq(cnt, 2);
	for (uint32_t i = 0; i < cnt; i++)
		cr_assert_neq(bpf_map_lookup_elem(fd, &keys[i], &v), 0, "returned but not deleted");
	for (size_t i = cnt * 4; i < 2 * 4 + 3; i++)
		cr_assert_eq(((unsigned char *)keys)[i], 0xab, "key byte %zu written past count", i);
	for (int i = 0; i < 2; i++)
		left += !bpf_map_lookup_elem(fd, &k[i], &v);
	cr_assert_eq(cnt + left, 2, "returned %u, left %u of 2", cnt, left);
	close(fd);
}

/* A drain long enough to look back in the middle (it looks back once it has
 * returned 4096 keys, then 8192, and once more where the map ends), with
 * the keys it will return next updated between calls (the map's first
 * keys: it returned everything before them), so that those of the bucket
 * it stands in move ahead of its start key: each key comes back once, and
 * the map is empty at the end. */
Test(tokens, a_long_drain_with_updates_loses_no_key, .timeout = 60)
{
	enum { N = 10000, BATCH = 16 };
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 8, N, NULL);
	uint32_t keys[BATCH], out, tok = 0, cnt, k, *seen = calloc(N, sizeof(*seen));
	uint64_t vals[BATCH], v;
	int r = 0, calls = 0;

	if (fd < 0)
		cr_skip_test("cannot create a BPF map here (need root): %s", strerror(errno));
	cr_assert_not_null(seen);
	for (k = 0; k < N; k++) {
		v = k;
		cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
	while (r == 0) {
		cnt = BATCH;
		r = bpfbatch_map_lookup_and_delete_batch(fd, calls ? &tok : NULL, &out, keys, vals,
							 &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT, "call %d: %d", calls, r);
		for (uint32_t i = 0; i < cnt; i++) {
			cr_assert_lt(keys[i], N);
			cr_assert_eq(vals[i] % N, keys[i]);
			seen[keys[i]]++;
		}
		for (int i = 0, g = bpf_map_get_next_key(fd, NULL, &k); i < 8 && !g;
		     i++, g = bpf_map_get_next_key(fd, &k, &k)) {
			v = (uint64_t)(calls + 1) * N + k;
			cr_assert_eq(seen[k], 0, "key %u returned, yet still in the map", k);
			cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
		}
		tok = out;
		cr_assert_lt(++calls, 2 * N);
	}
	for (k = 0; k < N; k++)
		cr_assert_eq(seen[k], 1, "key %u returned %u times", k, seen[k]);
	cr_assert_eq(bpf_map_get_next_key(fd, NULL, &k), -ENOENT, "map drained");
	free(seen);
	close(fd);
}
