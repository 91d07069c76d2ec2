/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Unit tests of the core's building blocks: key set, iteration table, attr
 * ingestion, safe memory access. No kernel maps needed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "accel/accel_clock.h"
#include "accel/accel_walk.h"
#include "core/attr.h"
#include "core/iters.h"
#include "core/keyset.h"
#include "platform/mem.h"

static void *unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	munmap(p, 4096);
	return p;
}

Test(keyset, add_has_and_truncate_across_growth)
{
	struct bb_keyset s;
	uint64_t k;

	bb_keyset_init(&s, sizeof(k));
	for (k = 0; k < 5000; k++) {
		cr_assert_not(bb_keyset_has(&s, &k));
		cr_assert_eq(bb_keyset_add(&s, &k), 0);
	}
	for (k = 0; k < 5000; k++)
		cr_assert(bb_keyset_has(&s, &k));
	/* Roll back past two rehashes: the older keys stay, the newer go. */
	bb_keyset_truncate(&s, 1000);
	for (k = 0; k < 5000; k++)
		cr_assert_eq(bb_keyset_has(&s, &k), k < 1000, "key %llu", (unsigned long long)k);
	k = 4242;
	cr_assert_eq(bb_keyset_add(&s, &k), 0);
	cr_assert(bb_keyset_has(&s, &k));
	bb_keyset_free(&s);
}

/* Inserts and rollbacks in turn, across growths of the index, against a
 * plain list of what the set should hold: every key still in the set is
 * found, in its place, and no key rolled back is. */
Test(keyset, rollbacks_keep_every_remaining_key_findable)
{
	static uint64_t keys[20000];

	for (unsigned round = 0; round < 200; round++) {
		struct bb_keyset s;
		uint32_t n = 0;

		srand(round);
		bb_keyset_init(&s, sizeof(keys[0]));
		for (int step = 0; step < 6; step++) {
			uint32_t add = (uint32_t)rand() % 5000, to;

			for (uint32_t i = 0; i < add && n < 20000; i++) {
				keys[n] = ((uint64_t)rand() << 31) ^ (uint64_t)rand();
				int r = bb_keyset_insert(&s, &keys[n]);

				cr_assert_geq(r, 0);
				n += (uint32_t)r; /* 0: drawn twice, already there */
			}
			to = (uint32_t)rand() % (n + 1);
			bb_keyset_truncate(&s, to);
			cr_assert_eq(s.n, to);
			for (uint32_t i = 0; i < n; i++)
				cr_assert_eq(bb_keyset_has(&s, &keys[i]), i < to,
					     "round %u step %d: entry %u of %u, kept %u", round, step,
					     i, n, to);
			for (uint32_t i = 0; i < to; i++)
				cr_assert_eq(memcmp(bb_keyset_key(&s, i), &keys[i], sizeof(keys[i])), 0);
			n = to;
		}
		bb_keyset_free(&s);
	}
}

Test(keyset, odd_key_sizes)
{
	struct bb_keyset s;
	unsigned char key[13];

	bb_keyset_init(&s, sizeof(key));
	for (int i = 0; i < 300; i++) {
		memset(key, i, sizeof(key));
		key[12] = (unsigned char)(i >> 8);
		cr_assert_eq(bb_keyset_add(&s, key), 0);
	}
	memset(key, 7, sizeof(key));
	key[12] = 0;
	cr_assert(bb_keyset_has(&s, key));
	key[12] = 2; /* i >> 8 is at most 1 */
	cr_assert_not(bb_keyset_has(&s, key));
	bb_keyset_free(&s);
}

Test(iters, a_token_names_one_position_of_one_walk_for_good)
{
	struct bb_iter *w = bb_iter_open(77, 4, BB_ITER_LOOKUP), *again;
	uint32_t t1, t2, t1b, pos = 99;

	cr_assert_not_null(w);
	cr_assert_eq(bb_iter_mark_index(w, 5, &t1), 0);
	cr_assert(t1 & 0x80000000U, "emulated tokens have bit 31 set");
	cr_assert_eq(bb_iter_mark_index(w, 5, &t1b), 0);
	cr_assert_eq(t1b, t1, "the same place, the same token");
	cr_assert_eq(bb_iter_mark_index(w, 9, &t2), 0);
	cr_assert_neq(t1, t2);
	bb_iter_release(w, false);
	cr_assert_null(bb_iter_resume(t1, 78, BB_ITER_LOOKUP, &pos), "another map");
	cr_assert_null(bb_iter_resume(t1, 77, BB_ITER_LOOKUP_AND_DELETE, &pos), "another kind");
	cr_assert_null(bb_iter_resume(t1 & 0x7fffffffU, 77, BB_ITER_LOOKUP, &pos), "a bucket index");
	for (int i = 0; i < 3; i++) { /* a value: good any number of times */
		again = bb_iter_resume(t1, 77, BB_ITER_LOOKUP, &pos);
		cr_assert_eq(again, w);
		cr_assert_eq(w->pos_index[pos], 5);
		bb_iter_release(again, false);
		again = bb_iter_resume(t2, 77, BB_ITER_LOOKUP, &pos);
		cr_assert_eq(again, w);
		cr_assert_eq(w->pos_index[pos], 9);
		bb_iter_release(again, i == 2);
	}
	cr_assert_not_null(bb_iter_resume(t1, 77, BB_ITER_LOOKUP, &pos), "finished walks are kept");
	bb_iter_release(w, true);
}

Test(iters, a_walk_with_no_position_is_freed_at_once)
{
	unsigned int open0, open1;
	uint64_t bytes;
	struct bb_iter *w;

	bb_iter_usage(&open0, &bytes);
	w = bb_iter_open(5, 8, BB_ITER_LOOKUP_AND_DELETE);
	cr_assert_not_null(w);
	bb_iter_release(w, true);
	bb_iter_usage(&open1, &bytes);
	cr_assert_eq(open1, open0);
}

/* Map ids with bit 31 set are stand-ins (platform/fdinfo.c), never asked
 * about: these maps count as alive, whatever ids the kernel has in use. */
#define LIVE_ID(i) (0x80000000U + 1000 + (uint32_t)(i))

Test(iters, table_is_bounded_and_reclaims_finished_then_least_recently_used)
{
	uint32_t tokens[BB_ITER_SLOTS + 10];
	unsigned int open;
	uint64_t bytes;
	uint32_t pos;

	for (int i = 0; i < BB_ITER_SLOTS + 10; i++) {
		struct bb_iter *w = bb_iter_open(LIVE_ID(i), 8, BB_ITER_LOOKUP);

		cr_assert_not_null(w, "open #%d", i);
		cr_assert_eq(bb_iter_mark_index(w, 1, &tokens[i]), 0);
		/* #20..#29 finished: they go first, though used later */
		bb_iter_release(w, i >= 20 && i < 30);
	}
	bb_iter_usage(&open, &bytes);
	cr_assert_eq(open, BB_ITER_SLOTS);
	for (int i = 0; i < BB_ITER_SLOTS + 10; i++) {
		struct bb_iter *w = bb_iter_resume(tokens[i], LIVE_ID(i), BB_ITER_LOOKUP, &pos);
		bool gone = i >= 20 && i < 30;

		cr_assert_eq(w == NULL, gone, "#%d: %s", i, gone ? "reclaimed" : "kept");
		if (w)
			bb_iter_release(w, false);
	}
}

Test(attr, ingestion_follows_the_kernel)
{
	struct bb_batch_attr a;
	unsigned char buf[8192];

	memset(buf, 0, sizeof(buf));
	cr_assert_eq(bb_attr_ingest(buf, 56, &a), 0); /* maps the pid page first (see mem) */
	((struct bb_batch_attr *)buf)->count = 9;
	cr_assert_eq(bb_attr_ingest(buf, 56, &a), 0);
	cr_assert_eq(a.count, 9);
	cr_assert_eq(bb_attr_ingest(buf, 4097, &a), -E2BIG);
	cr_assert_eq(bb_attr_ingest(buf, 4096, &a), 0, "zero tail up to a page is fine");
	cr_assert_eq(bb_attr_ingest(buf, 36, &a), 0);
	cr_assert_eq(a.map_fd, 0, "fields past size read as zero");
	buf[100] = 1;
	cr_assert_eq(bb_attr_ingest(buf, 200, &a), -EINVAL, "CHECK_ATTR: past batch, inside the union");
	cr_assert_eq(bb_attr_ingest(buf, 56, &a), 0, "not read when size stops before it");
	buf[100] = 0;
	buf[180] = 1;
	cr_assert_eq(bb_attr_ingest(buf, 200, &a), -E2BIG, "past the kernel's union");
	cr_assert_eq(bb_attr_ingest(NULL, 56, &a), -EFAULT);
	cr_assert_eq(bb_attr_ingest(unmapped_page(), 56, &a), -EFAULT);
}

/* The supervisor's path: the same checks on a copy it holds already. */
Test(attr, a_front_ends_copy_is_checked_like_the_callers_memory)
{
	struct bb_batch_attr a;
	unsigned char buf[8192];

	memset(buf, 0, sizeof(buf));
	((struct bb_batch_attr *)buf)->count = 9;
	cr_assert_eq(bb_attr_parse(buf, 56, &a), 0);
	cr_assert_eq(a.count, 9);
	cr_assert_eq(bb_attr_parse(buf, 4097, &a), -E2BIG);
	cr_assert_eq(bb_attr_parse(buf, 4096, &a), 0);
	cr_assert_eq(bb_attr_parse(buf, 36, &a), 0);
	cr_assert_eq(a.map_fd, 0, "fields past size read as zero");
	buf[100] = 1;
	cr_assert_eq(bb_attr_parse(buf, 200, &a), -EINVAL);
	cr_assert_eq(bb_attr_parse(buf, 56, &a), 0);
	buf[100] = 0;
	buf[180] = 1;
	cr_assert_eq(bb_attr_parse(buf, 200, &a), -E2BIG);
}

Test(mem, bad_pointers_are_efault_not_a_crash)
{
	char x[16] = "abc";
	void *bad;

	/* The first copy maps the page that keeps our pid: do it before taking
	 * an unmapped address, which that mmap could otherwise reuse. */
	cr_assert_eq(bb_mem_write(x + 8, x, 4), 0);
	bad = unmapped_page();

	cr_assert_eq(bb_mem_read(x, bad, 4), -EFAULT);
	cr_assert_eq(bb_mem_write(bad, x, 4), -EFAULT);
	cr_assert_eq(bb_mem_read(x, NULL, 4), -EFAULT);
	cr_assert_eq(bb_mem_write(x + 8, x, 4), 0);
	cr_assert_str_eq(x + 8, "abc");
	cr_assert_eq(bb_mem_read(x, bad, 0), 0, "nothing to copy");
}

Test(iters, idle_iterations_fit_a_memory_budget, .timeout = 30)
{
	uint32_t tokens[2], pos;

	for (int i = 0; i < 2; i++) {
		struct bb_iter *w = bb_iter_open(500 + i, 8, BB_ITER_LOOKUP);

		cr_assert_not_null(w);
		/* ~42 MB of listed keys each: two exceed the budget together. */
		for (uint64_t k = 0; k < (2U << 20); k++)
			cr_assert_eq(bb_keyset_add(&w->list, &k), 0);
		cr_assert_gt(bb_keyset_bytes(&w->list), BB_ITER_IDLE_BYTES / 2);
		cr_assert_eq(bb_iter_mark_index(w, 1, &tokens[i]), 0);
		bb_iter_release(w, false);
	}
	bb_iter_release(bb_iter_open(502, 8, BB_ITER_LOOKUP), false);
	cr_assert_null(bb_iter_resume(tokens[0], 500, BB_ITER_LOOKUP, &pos), "oldest reclaimed");
	struct bb_iter *kept = bb_iter_resume(tokens[1], 501, BB_ITER_LOOKUP, &pos);
	cr_assert_not_null(kept, "newer kept");
	bb_iter_release(kept, true);
}

/* BPFBATCH_ACCEL's walk table: at most BB_WALK_SLOTS walks, the least
 * recently used replaced; a walk unused for BB_WALK_IDLE_NS is closed, so a
 * loop that stopped early does not keep element commands on the slow path. */
Test(accel_walks, bounded_and_closed_when_idle)
{
	uint64_t t0 = bb_clock_now() + 10 * BB_WALK_IDLE_NS, ms = 1000000;
	pthread_t self = pthread_self();

	cr_assert(bb_walk_lock());
	bb_walk_tick(t0);
	for (int i = 0; i < BB_WALK_SLOTS + 4; i++) {
		bb_walk_tick(t0 + (uint64_t)i * ms);
		cr_assert_not_null(bb_walk_open(100 + i, 8), "open #%d", i);
	}
	for (int i = 0; i < 4; i++)
		cr_assert_null(bb_walk_find(100 + i, self), "oldest #%d replaced", i);
	bb_walk_tick(t0 + 100 * ms);
	for (int i = 4; i < BB_WALK_SLOTS + 4; i++)
		cr_assert_not_null(bb_walk_find(100 + i, self), "newer #%d kept", i);
	cr_assert(bb_walk_any());

	/* One walk used again later; the others go idle. */
	bb_walk_tick(t0 + BB_WALK_IDLE_NS);
	cr_assert_not_null(bb_walk_find(110, self));
	bb_walk_tick(t0 + BB_WALK_IDLE_NS + 300 * ms);
	cr_assert_not_null(bb_walk_find(110, self), "used 300 ms ago: kept");
	cr_assert_null(bb_walk_find(105, self), "idle for over a second: closed");
	cr_assert(bb_walk_any());
	bb_walk_tick(t0 + 3 * BB_WALK_IDLE_NS);
	cr_assert(!bb_walk_any(), "all idle: none open");
	bb_walk_unlock();
}
