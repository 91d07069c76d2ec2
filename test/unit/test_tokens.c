/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Tokens are values: a token handed out by the emulation can be used again,
 * from any copy of its bytes, any number of times, and returns the chunk
 * that starts where it pointed; a failed call changes nothing a token means;
 * walks never share state. Runs the C API in-process, emulated (meson runs
 * it with BPFBATCH_MODE=emulate, and under `bpfbatch sim` 5.4 and 4.14).
 */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpfbatch.h"
#include "guard.h"
#include "core/iters.h"
#include "platform/stats.h"

#define NKEYS 1000
#define BATCH 150

struct lpm8 {
	uint32_t prefixlen;
	uint8_t data[4];
};

static int new_map(enum bpf_map_type type, uint32_t ks, uint32_t max)
{
	LIBBPF_OPTS(bpf_map_create_opts, o,
		    .map_flags = type == BPF_MAP_TYPE_LPM_TRIE ? BPF_F_NO_PREALLOC : 0);
	int fd = bpf_map_create(type, NULL, ks, 8, max, &o);

	if (fd < 0)
		cr_skip_test("cannot create a BPF map here (need root): %s", strerror(errno));
	return fd;
}

static void fill_hash(int fd, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint64_t v = (uint64_t)k * 7 + 3;

		cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
}

/* 20 prefixes, nested and side by side, so the trie has inner nodes. */
static uint32_t fill_lpm(int fd, struct lpm8 *keys)
{
	struct lpm8 probe;
	uint32_t n = 0;

	/* Before 4.16 an LPM trie cannot be iterated at all. */
	if (bpf_map_get_next_key(fd, NULL, &probe) != -ENOENT)
		cr_skip_test("no GET_NEXT_KEY for LPM tries on this kernel (4.16+)");

	for (uint32_t i = 0; i < 5; i++)
		for (uint32_t len = 8; len <= 32; len += 8) {
			struct lpm8 k = { len, { 10, (uint8_t)i, (uint8_t)(i * 3), 7 } };
			uint64_t v = n;

			/* bits past the prefix zero, so 10/8 is one key */
			memset(k.data + len / 8, 0, sizeof(k.data) - len / 8);

			cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
			if (len == 8 && i > 0)
				continue; /* 10/8 once */
			keys[n++] = k;
		}
	return n;
}

static void *guard_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	return p;
}

/* Hash maps: every call is made twice with the same token, the second time
 * from a copy of it; both must return the same chunk and the same token. */
Test(tokens, a_hash_token_reissued_returns_the_same_chunk)
{
	int fd = new_map(BPF_MAP_TYPE_HASH, 4, NKEYS);
	uint32_t k1[BATCH], k2[BATCH], out1, out2, copy, c1, c2, seen[NKEYS] = { 0 };
	uint64_t v1[BATCH], v2[BATCH];
	void *in = NULL;
	int r1, r2, calls = 0;

	fill_hash(fd, NKEYS);
	do {
		c1 = c2 = BATCH;
		if (in)
			memcpy(&copy, in, sizeof(copy)); /* before the call overwrites it */
		r1 = bpfbatch_map_lookup_batch(fd, in, &out1, k1, v1, &c1, NULL);
		r2 = bpfbatch_map_lookup_batch(fd, in ? &copy : NULL, &out2, k2, v2, &c2, NULL);
		cr_assert_eq(r1, r2);
		cr_assert_eq(c1, c2, "call %d: %u then %u elements", calls, c1, c2);
		if (in) /* a fresh walk (NULL) is a walk of its own */
			cr_assert_eq(out1, out2, "call %d: same place, same token", calls);
		cr_assert_arr_eq(k1, k2, c1 * sizeof(k1[0]));
		for (uint32_t i = 0; i < c1; i++) {
			cr_assert_eq(v1[i], (uint64_t)k1[i] * 7 + 3);
			seen[k1[i]]++;
		}
		in = &out1;
		cr_assert_lt(++calls, 100);
	} while (r1 == 0);
	cr_assert_eq(r1, -ENOENT);
	for (uint32_t k = 0; k < NKEYS; k++)
		cr_assert_eq(seen[k], 1, "key %u returned %u times", k, seen[k]);
	close(fd);
}

/* A drain whose every token is used twice: the second call finds the first
 * one's chunk deleted and returns what follows; nothing is lost or doubled. */
Test(tokens, a_drain_with_reissued_tokens_empties_the_map)
{
	int fd = new_map(BPF_MAP_TYPE_HASH, 4, NKEYS);
	uint32_t keys[BATCH], out, seen[NKEYS] = { 0 }, cnt, tok = 0, k, next;
	uint64_t vals[BATCH];
	int r = 0, calls = 0;

	fill_hash(fd, NKEYS);
	for (int pass = 0; r == 0; pass ^= 1) {
		cnt = BATCH;
		r = bpfbatch_map_lookup_and_delete_batch(fd, calls ? &tok : NULL, &out, keys, vals,
							 &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT, "drain: %d", r);
		for (uint32_t i = 0; i < cnt; i++)
			seen[keys[i]]++;
		if (pass) /* every other call moves on; the others reuse the token */
			tok = out;
		calls++;
		cr_assert_lt(calls, 100);
	}
	for (k = 0; k < NKEYS; k++)
		cr_assert_eq(seen[k], 1, "key %u returned %u times", k, seen[k]);
	cr_assert_eq(bpf_map_get_next_key(fd, NULL, &next), -ENOENT, "map empty");
	close(fd);
}

struct fault_case {
	int where; /* 0: out_batch, 1: keys, 2: values */
};

ParameterizedTestParameters(tokens, a_retry_after_efault_skips_nothing)
{
	static struct fault_case cases[] = { { 0 }, { 1 }, { 2 } };

	return cr_make_param_array(struct fault_case, cases, 3);
}

/* Each call first fails with EFAULT (a bad out_batch, keys or values), then
 * is retried with the same token and good buffers. */
ParameterizedTest(struct fault_case *fc, tokens, a_retry_after_efault_skips_nothing)
{
	int fd = new_map(BPF_MAP_TYPE_HASH, 4, NKEYS);
	uint32_t keys[50], out, tok = 0, cnt, seen[NKEYS] = { 0 };
	uint64_t vals[50];
	void *bad = guard_page();
	int r = 0, calls = 0;

	fill_hash(fd, NKEYS);
	while (r == 0) {
		cnt = 50;
		r = bpfbatch_map_lookup_batch(fd, calls ? &tok : NULL, fc->where == 0 ? bad : &out,
					      fc->where == 1 ? bad : (void *)keys,
					      fc->where == 2 ? bad : (void *)vals, &cnt, NULL);
		cr_assert_eq(r, -EFAULT, "call %d: %d", calls, r);
		cnt = 50;
		r = bpfbatch_map_lookup_batch(fd, calls ? &tok : NULL, &out, keys, vals, &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT, "retry %d: %d", calls, r);
		for (uint32_t i = 0; i < cnt; i++)
			seen[keys[i]]++;
		tok = out;
		cr_assert_lt(++calls, 100);
	}
	for (uint32_t k = 0; k < NKEYS; k++)
		cr_assert_eq(seen[k], 1, "key %u returned %u times", k, seen[k]);
	munmap(bad, 4096);
	close(fd);
}

static int lpm_walk(int fd, const struct lpm8 *from, uint32_t batch, uint32_t *seen,
		    const struct lpm8 *all, uint32_t n, bool delete_returned)
{
	struct lpm8 keys[32], out, in;
	uint64_t vals[32];
	int r, calls = 0;
	bool have = from != NULL;

	if (from)
		in = *from;
	do {
		uint32_t cnt = batch;

		r = bpfbatch_map_lookup_batch(fd, have ? &in : NULL, &out, keys, vals, &cnt, NULL);
		cr_assert(r == 0 || r == -ENOENT, "lpm lookup: %d", r);
		for (uint32_t i = 0; i < cnt; i++) {
			uint32_t j = 0;

			while (j < n && memcmp(&all[j], &keys[i], sizeof(keys[i])))
				j++;
			cr_assert_lt(j, n, "unknown key returned");
			seen[j]++;
			if (delete_returned)
				cr_assert_eq(bpf_map_delete_elem(fd, &keys[i]), 0);
		}
		if (cnt) {
			in = out;
			have = true;
		}
		cr_assert_lt(++calls, 200);
	} while (r == 0);
	return calls;
}

/* LPM tokens are keys: a new walk that reaches the key where an abandoned
 * walk stopped shares nothing with it, and a copy of the abandoned walk's
 * token goes on from there. */
Test(tokens, lpm_walks_share_nothing)
{
	int fd = new_map(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lpm8), 64);
	struct lpm8 all[20], keys[5], out, tok_copy;
	uint32_t seen[20] = { 0 }, rest[20] = { 0 }, n = fill_lpm(fd, all), cnt = 5;
	uint64_t vals[5];

	cr_assert_eq(n, 16);
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &out, keys, vals, &cnt, NULL), 0);
	memcpy(&tok_copy, &out, sizeof(out)); /* walk A abandoned here */
	/* A key that comes right after A's last one (10.1.3.0/24) in the trie's
	 * order: present for all of walk B, which must not inherit A's view. */
	all[n] = (struct lpm8){ 24, { 10, 1, 200, 0 } };
	cr_assert_eq(memcmp(&out, &(struct lpm8){ 24, { 10, 1, 3, 0 } }, sizeof(out)), 0);
	cr_assert_eq(bpf_map_update_elem(fd, &all[n++], &vals[0], BPF_ANY), 0);
	lpm_walk(fd, NULL, 1, seen, all, n, false);
	for (uint32_t i = 0; i < n; i++)
		cr_assert_eq(seen[i], 1, "walk B: key %u returned %u times", i, seen[i]);
	lpm_walk(fd, &tok_copy, 3, rest, all, n, false);
	for (uint32_t i = 0; i < n; i++) {
		bool in_a = false;

		for (uint32_t j = 0; j < 5; j++)
			in_a |= !memcmp(&keys[j], &all[i], sizeof(all[i]));
		cr_assert_eq(rest[i], in_a ? 0 : 1, "walk A resumed: key %u %u times", i, rest[i]);
	}
	close(fd);
}

/* The lookup-then-delete pattern: the token's key is gone at every call,
 * where the kernel restarts from the leftmost key (duplicates). */
Test(tokens, lpm_lookup_then_delete_returns_each_key_once)
{
	int fd = new_map(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lpm8), 64);
	struct lpm8 all[20], k;
	uint32_t seen[20] = { 0 }, n = fill_lpm(fd, all);

	for (uint32_t batch = 1; batch <= 4; batch++) {
		memset(seen, 0, sizeof(seen));
		if (batch > 1)
			fill_lpm(fd, all);
		lpm_walk(fd, NULL, batch, seen, all, n, true);
		for (uint32_t i = 0; i < n; i++)
			cr_assert_eq(seen[i], 1, "batch %u: key %u returned %u times", batch, i,
				     seen[i]);
		cr_assert_eq(bpf_map_get_next_key(fd, NULL, &k), -ENOENT);
	}
	close(fd);
}

/* Past the bound, the walk idle the longest is reclaimed; its token then
 * ends the walk (ENOENT, count 0), and the reclaim is counted. */
Test(tokens, a_reclaimed_walk_ends_and_is_counted)
{
	int fd = new_map(BPF_MAP_TYPE_HASH, 4, 64);
	uint32_t keys[2], first, out, cnt = 2;
	uint64_t vals[2], before = bb_stat_get(BB_STAT_ITERS_RECLAIMED);

	fill_hash(fd, 10);
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &first, keys, vals, &cnt, NULL), 0);
	for (int i = 0; i < BB_ITER_SLOTS; i++) {
		cnt = 2;
		cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &out, keys, vals, &cnt, NULL), 0);
	}
	cnt = 2;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, &first, &out, keys, vals, &cnt, NULL), -ENOENT);
	cr_assert_eq(cnt, 0);
	cr_assert_gt(bb_stat_get(BB_STAT_ITERS_RECLAIMED), before);
	close(fd);
}

static uint32_t entries(int fd, uint32_t ks)
{
	unsigned char k[16], next[16];
	uint32_t n = 0;

	if (bpf_map_get_next_key(fd, NULL, k))
		return 0;
	for (n = 1; !bpf_map_get_next_key(fd, k, next); n++)
		memcpy(k, next, ks);
	return n;
}

/* A lookup-and-delete whose values run out part-way, on a map that would
 * fill them: EFAULT, count 0, and nothing deleted (issue 12, drainfault;
 * the kernel loses what it unlinked). One the map cannot fill to the bad
 * slot is served whole. Hash (token 4 bytes) and LPM (the shim's own). */
static void drain_fault(int fd, uint32_t ks, uint32_t n)
{
	unsigned char keys[32 * 8], tok[8];
	uint64_t *vals = ends_at_guard(5 * sizeof(uint64_t) + 3);
	uint32_t cnt = n;

	cr_assert_eq(bpfbatch_map_lookup_and_delete_batch(fd, NULL, tok, keys, vals, &cnt, NULL),
		     -EFAULT);
	cr_assert_eq(cnt, 0);
	cr_assert_eq(entries(fd, ks), n, "a failed lookup-and-delete lost elements");
}

Test(tokens, a_drain_that_faults_deletes_nothing)
{
	int fd = new_map(BPF_MAP_TYPE_HASH, 4, 64);
	struct lpm8 lk[32];
	unsigned char keys[32 * 8], tok[8];
	uint64_t *vals;
	uint32_t cnt = 10, n;

	fill_hash(fd, 10);
	drain_fault(fd, 4, 10);
	/* Three elements fit before the bad slot: all taken. */
	for (uint32_t k = 3; k < 10; k++)
		cr_assert_eq(bpf_map_delete_elem(fd, &k), 0);
	vals = ends_at_guard(5 * sizeof(uint64_t) + 3);
	cr_assert_eq(bpfbatch_map_lookup_and_delete_batch(fd, NULL, tok, keys, vals, &cnt, NULL),
		     -ENOENT);
	cr_assert_eq(cnt, 3);
	cr_assert_eq(entries(fd, 4), 0);
	close(fd);

	fd = new_map(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lpm8), 64);
	n = fill_lpm(fd, lk);
	drain_fault(fd, sizeof(struct lpm8), n);
	close(fd);
}

/* The same on an array-like map whose slots can be emptied (DEVMAP: the
 * shim's own lookup-and-delete; value = ifindex 1, the loopback device). */
Test(tokens, an_array_drain_that_faults_deletes_nothing)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	int fd = bpf_map_create(BPF_MAP_TYPE_DEVMAP, NULL, 4, 4, 16, &o);
	uint32_t keys[16], tok, cnt = 16, *vals, one = 1, filled = 0, v;

	if (fd < 0)
		cr_skip_test("cannot create a DEVMAP here: %s", strerror(errno));
	for (uint32_t k = 0; k < 10; k++)
		cr_assert_eq(bpf_map_update_elem(fd, &k, &one, BPF_ANY), 0);
	vals = ends_at_guard(5 * sizeof(uint32_t) + 3);
	cr_assert_eq(bpfbatch_map_lookup_and_delete_batch(fd, NULL, &tok, keys, vals, &cnt, NULL),
		     -EFAULT);
	cr_assert_eq(cnt, 0);
	for (uint32_t k = 0; k < 16; k++)
		filled += !bpf_map_lookup_elem(fd, &k, &v);
	cr_assert_eq(filled, 10, "a failed lookup-and-delete lost elements");
	close(fd);
}

/* LPM: a key never handed out as a token and not in the trie restarts the
 * walk at the leftmost key, as the kernel's (trie_get_next_key); a token
 * handed out whose key was deleted since goes on after it, and nothing is
 * written past the count returned (issue 12, keystart and overwrite). */
Test(tokens, lpm_absent_keys_restart_unless_handed_out)
{
	int fd = new_map(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lpm8), 64);
	struct lpm8 lk[32], all[32], got[32], tok, absent = { 1, { 0x80, 0, 0, 0 } };
	uint64_t vals[32];
	uint32_t n = fill_lpm(fd, lk), cnt = n;

	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &tok, all, vals, &cnt, NULL), 0);
	cr_assert_eq(cnt, n);
	/* 1/1 (128.0.0.0/1) is not in the trie and comes after 10.x in its order. */
	cnt = n;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, &absent, &tok, got, vals, &cnt, NULL), 0);
	cr_assert_eq(cnt, n, "an absent key never handed out restarts the walk");
	cr_assert_eq(memcmp(got, all, n * sizeof(all[0])), 0);

	/* The last key, handed out as the token, deleted: the walk is over. */
	cr_assert_eq(bpf_map_delete_elem(fd, &tok), 0);
	memset(got, 0xab, sizeof(got));
	cnt = 4;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, &tok, &absent, got, vals, &cnt, NULL), -ENOENT);
	cr_assert_eq(cnt, 0, "a deleted token must not restart the walk");
	for (size_t i = 0; i < sizeof(got); i++)
		cr_assert_eq(((unsigned char *)got)[i], 0xab, "key byte %zu written past count", i);
	close(fd);
}

/* @n walks abandoned after their first call, on maps closed at once. */
static void abandon_on_closed_maps(int n)
{
	uint32_t keys[2], out, cnt;
	uint64_t vals[2];

	for (int i = 0; i < n; i++) {
		int gone = new_map(BPF_MAP_TYPE_HASH, 4, 64);

		fill_hash(gone, 4);
		cnt = 2;
		cr_assert_eq(bpfbatch_map_lookup_batch(gone, NULL, &out, keys, vals, &cnt, NULL), 0);
		close(gone);
	}
}

/* A walk of @fd's 10 keys taken to its end; *first: the token after its
 * first call, whose chunk (8 keys) goes to @chunk. */
static void finish_a_walk(int fd, uint32_t *first, uint32_t *chunk)
{
	uint32_t keys[2], out, cnt = 2;
	uint64_t vals[16];

	fill_hash(fd, 10);
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, first, keys, vals, &cnt, NULL), 0);
	cnt = 16;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, first, &out, chunk, vals, &cnt, NULL), -ENOENT);
	cr_assert_eq(cnt, 8);
}

/* @walks new walks on @fd with the table full; then a second reader's copy
 * of @first still returns @chunk. */
static void copy_outlives(int fd, int walks, uint32_t first, const uint32_t *chunk)
{
	uint32_t k2[16], out, cnt;
	uint64_t vals[16], before = bb_stat_get(BB_STAT_ITERS_RECLAIMED);

	for (int i = 0; i < walks; i++) {
		cnt = 2;
		cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &out, k2, vals, &cnt, NULL), 0);
	}
	cr_assert_geq(bb_stat_get(BB_STAT_ITERS_RECLAIMED), before + walks, "the table was full");
	cnt = 16;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, &first, &out, k2, vals, &cnt, NULL), -ENOENT);
	cr_assert_eq(cnt, 8, "the copy's chunk: %u elements, not 8", cnt);
	cr_assert_arr_eq(k2, chunk, 8 * sizeof(chunk[0]));
}

/* Walks abandoned on maps that are gone are given up before a finished walk
 * whose token a second reader still holds: the copy returns its chunk. */
Test(tokens, a_finished_walk_outlives_abandoned_walks_of_closed_maps)
{
	int fd = new_map(BPF_MAP_TYPE_HASH, 4, 64);
	uint32_t chunk[16], first;

	abandon_on_closed_maps(BB_ITER_SLOTS);
	finish_a_walk(fd, &first, chunk);
	copy_outlives(fd, 1, first, chunk);
	close(fd);
}

/* The same when the oldest walks belong to maps that are still open (here
 * held by the test, as a bulk program holds a map the caller closed for up
 * to a second): before the finished walk is given up, the search goes past
 * them to the walks of closed maps, and those walks of open maps stay too. */
Test(tokens, walks_of_closed_maps_go_first_whatever_their_age)
{
	enum { LIVE = 8 };
	int fd = new_map(BPF_MAP_TYPE_HASH, 4, 64), live[LIVE];
	uint32_t keys[16], chunk[16], first, out, cnt, ltok[LIVE];
	uint64_t vals[16];

	for (int i = 0; i < LIVE; i++) {
		live[i] = new_map(BPF_MAP_TYPE_HASH, 4, 64);
		fill_hash(live[i], 6);
		cnt = 2;
		cr_assert_eq(bpfbatch_map_lookup_batch(live[i], NULL, &ltok[i], keys, vals, &cnt,
						       NULL), 0);
	}
	finish_a_walk(fd, &first, chunk);
	abandon_on_closed_maps(BB_ITER_SLOTS - LIVE - 1); /* the table is full */
	copy_outlives(fd, 4, first, chunk);
	for (int i = 0; i < LIVE; i++) {
		cnt = 16;
		cr_assert_eq(bpfbatch_map_lookup_batch(live[i], &ltok[i], &out, keys, vals, &cnt,
						       NULL), -ENOENT);
		cr_assert_eq(cnt, 4, "abandoned walk %d of an open map: %u of its 4 last keys", i,
			     cnt);
		close(live[i]);
	}
	close(fd);
}
