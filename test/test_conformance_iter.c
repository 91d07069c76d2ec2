/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Iteration exactness (design.md, "Iteration is exact"), on the four hash
 * types, natively (the kernel's bucket walk guarantees it) and through the
 * peer:
 *  - lookup-then-delete: the caller deletes every returned key between
 *    calls; every key must come back exactly once and the walk must end;
 *  - concurrent change: threads of this process delete/re-insert and
 *    insert/delete keys while a walk runs; every key present for the whole
 *    walk comes back exactly once, no key twice, the walk ends.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <linux/bpf.h>

#include "conformance.h"

struct iparam {
	uint32_t type;
	uint32_t key_size;
	uint32_t batch;
	uint32_t mode;
};

static const uint32_t hash_types[] = {
	BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH,
};

static struct criterion_test_params params(const uint32_t *batches, size_t nb,
					       uint32_t max_ks)
{
	size_t n = 0;
	struct iparam *p = cr_malloc(4 * 2 * nb * MODE_NR * sizeof(*p));

	for (size_t t = 0; t < 4; t++)
		for (uint32_t ks = 4; ks <= max_ks; ks += 12)
			for (size_t b = 0; b < nb; b++)
				for (uint32_t m = 0; m < MODE_NR; m++) {
					p[n].type = hash_types[t];
					p[n].key_size = ks;
					p[n].batch = batches[b];
					p[n].mode = m;
					n++;
				}
	return cr_make_param_array(struct iparam, p, n);
}

static void init_ms(struct mspec *ms, const struct iparam *p, uint32_t max_entries)
{
	ms->type = p->type;
	ms->key_size = p->key_size;
	ms->value_size = 12;
	ms->max_entries = max_entries;
}

/* ---- lookup-then-delete ------------------------------------------------ */

#define LTD_MAX 150
#define LTD_FILL 100

struct ltd {
	int fd;
	uint32_t ks;
	unsigned int deleted;
	int first_err;
};

static void delete_returned(void *arg, const uint8_t *keys, const uint8_t *values, uint32_t n)
{
	struct ltd *l = arg;

	(void)values;
	for (uint32_t i = 0; i < n; i++) {
		if (bpf_map_delete_elem(l->fd, keys + (size_t)i * l->ks) == 0)
			l->deleted++;
		else if (!l->first_err)
			l->first_err = errno;
	}
}

static void ltd_walk(struct peer *p, const struct mspec *ms, uint32_t batch, const char *ctx)
{
	struct walk_result r;
	struct kvset want, none;
	struct ltd l = { .ks = ms->key_size };
	struct hash_walk w = {
		.cmd = CMD_LOOKUP, .batch = batch, .strict = true,
		.max_calls = LTD_FILL + 3, .after = delete_returned, .arg = &l,
	};
	const char *why, *side = p ? "emulated" : "native";
	int fd = bu_create(ms);

	cr_assert(fd >= 0);
	cr_assert(bu_fill(fd, ms, 0, LTD_FILL, 1) == 0);
	cr_assert(bu_dump(fd, ms, &want) == 0);
	cr_assert(want.n == LTD_FILL, "%s: only %u of %u keys stayed in the map", ctx, want.n,
		  LTD_FILL);
	if (p)
		peer_add_fd(p, fd);
	if (!peer_native_like(p))
		w.max_calls = LTD_FILL / batch + 3;	/* full batches, no ENOSPC */
	l.fd = fd;
	hash_walk(p, fd, ms, &w, &r, ctx);
	cr_assert(l.first_err == 0, "%s (%s): deleting a returned key: %s", ctx, side,
		  strerror(l.first_err));
	kv_sort(&r.got);
	cr_assert(kv_first_dup(&r.got) < 0, "%s (%s): a key was returned twice", ctx, side);
	cr_assert(kv_equal(&want, &r.got, &why),
		  "%s (%s): %u of %u keys returned in %u calls: %s", ctx, side, r.got.n, want.n,
		  r.calls, why);
	kv_init(&none, ms);
	expect_content(fd, ms, &none, ctx);
	if (p)
		peer_del_fd(p, fd);
	kv_free(&r.got);
	kv_free(&want);
	close(fd);
}

ParameterizedTestParameters(iter, lookup_then_delete)
{
	static const uint32_t batches[] = { 1, 7, 64 };

	return params(batches, 3, 16);
}

ParameterizedTest(struct iparam *p, iter, lookup_then_delete, .timeout = 120)
{
	struct mspec ms;
	struct peer peer;
	char ctx[200];

	conf_require_bpf();
	init_ms(&ms, p, LTD_MAX);
	snprintf(ctx, sizeof(ctx), "lookup-then-delete %s ks=%u batch=%u peer=%s",
		 bu_type_name(p->type), p->key_size, p->batch, mode_name(p->mode));
	if (bu_is_lru(p->type))
		bu_pin_cpu0();
	peer_start(&peer, p->mode);
	ltd_walk(NULL, &ms, p->batch, ctx);
	ltd_walk(&peer, &ms, p->batch, ctx);
	peer_stop(&peer);
}

/* ---- concurrent deleters and inserters --------------------------------- */

#define CC_MAX 1024
#define CC_STABLE 60	/* keys #0..#59: never touched during the walk */
#define CC_VOLATILE 60	/* keys #60..#119: deleted and re-inserted */
#define CC_NEW 60	/* keys #120..#179: inserted and deleted */
#define CC_ROUNDS 3

struct churn {
	int fd;
	const struct mspec *ms;
	uint32_t first, n;
	bool start_present;
	atomic_bool stop;
	atomic_uint ops;
	int first_err;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	uint8_t key[16], *val = malloc(bu_stride(c->ms));
	bool present = c->start_present;

	while (val && !atomic_load(&c->stop)) {
		for (uint32_t i = c->first; i < c->first + c->n; i++) {
			int r;

			bu_key(c->ms, i, key);
			if (present) {
				r = bpf_map_delete_elem(c->fd, key);
			} else {
				bu_value(c->ms, i, 9, val);
				r = bpf_map_update_elem(c->fd, key, val, BPF_ANY);
			}
			if (r && !c->first_err)
				c->first_err = errno;
			atomic_fetch_add(&c->ops, 1);
		}
		present = !present;
		usleep(100);	/* leave the walker some CPU on small machines */
	}
	free(val);
	return NULL;
}

static void cc_walk(struct peer *p, const struct mspec *ms, uint32_t batch, const char *ctx)
{
	const char *side = p ? "emulated" : "native";
	struct churn del = { .ms = ms, .first = CC_STABLE, .n = CC_VOLATILE,
			     .start_present = true };
	struct churn ins = { .ms = ms, .first = CC_STABLE + CC_VOLATILE, .n = CC_NEW,
			     .start_present = false };
	uint8_t *val = malloc(bu_stride(ms));
	pthread_t td, ti;
	int fd = bu_create(ms);

	cr_assert(fd >= 0 && val);
	cr_assert(bu_fill(fd, ms, 0, CC_STABLE + CC_VOLATILE, 1) == 0);
	if (p)
		peer_add_fd(p, fd);
	del.fd = ins.fd = fd;
	atomic_init(&del.stop, false);
	atomic_init(&ins.stop, false);
	atomic_init(&del.ops, 0);
	atomic_init(&ins.ops, 0);
	cr_assert(pthread_create(&td, NULL, churn_thread, &del) == 0);
	cr_assert(pthread_create(&ti, NULL, churn_thread, &ins) == 0);
	while (atomic_load(&del.ops) < 10 || atomic_load(&ins.ops) < 10)
		usleep(100);

	for (int round = 0; round < CC_ROUNDS; round++) {
		struct hash_walk w = {
			.cmd = CMD_LOOKUP, .batch = batch, .strict = false,
			.max_calls = (CC_STABLE + CC_VOLATILE + CC_NEW) / batch + 10,
		};
		struct walk_result r;
		uint32_t seen_stable = 0;
		long dup;
		char kb[80];

		hash_walk(p, fd, ms, &w, &r, ctx);
		kv_sort(&r.got);
		dup = kv_first_dup(&r.got);
		if (dup >= 0) {
			atomic_store(&del.stop, true);
			atomic_store(&ins.stop, true);
			cr_assert_fail("%s (%s), round %d: key %s returned twice", ctx, side, round,
				       kv_keystr(&r.got, r.got.rec + kv_recsize(&r.got) * dup,
						 kb, sizeof(kb)));
		}
		for (uint32_t i = 0; i < CC_STABLE + CC_VOLATILE + CC_NEW; i++) {
			uint8_t key[16];
			long at;

			bu_key(ms, i, key);
			at = kv_find(&r.got, key);
			if (i >= CC_STABLE || at < 0)
				continue;
			seen_stable++;
			bu_value(ms, i, 1, val);
			cr_assert(!memcmp(r.got.rec + kv_recsize(&r.got) * at + ms->key_size, val,
					  bu_stride(ms)),
				  "%s (%s), round %d: wrong value for stable key #%u", ctx, side,
				  round, i);
		}
		if (seen_stable != CC_STABLE) {
			atomic_store(&del.stop, true);
			atomic_store(&ins.stop, true);
		}
		cr_assert(seen_stable == CC_STABLE,
			  "%s (%s), round %d: %u of %u untouched keys returned (%u elements in "
			  "%u calls)", ctx, side, round, seen_stable, CC_STABLE, r.got.n, r.calls);
		/* everything returned is a key that existed at some point */
		for (uint32_t i = 0; i < r.got.n; i++) {
			bool known = false;

			for (uint32_t k = 0; k < CC_STABLE + CC_VOLATILE + CC_NEW && !known; k++) {
				uint8_t key[16];

				bu_key(ms, k, key);
				known = !memcmp(key, r.got.rec + kv_recsize(&r.got) * i,
						ms->key_size);
			}
			cr_assert(known, "%s (%s), round %d: unknown key returned", ctx, side,
				  round);
		}
		kv_free(&r.got);
	}
	atomic_store(&del.stop, true);
	atomic_store(&ins.stop, true);
	pthread_join(td, NULL);
	pthread_join(ti, NULL);
	cr_assert(del.first_err == 0 && ins.first_err == 0,
		  "%s: churn thread failed: %s", ctx,
		  strerror(del.first_err ? del.first_err : ins.first_err));
	if (p)
		peer_del_fd(p, fd);
	free(val);
	close(fd);
}

ParameterizedTestParameters(iter, concurrent)
{
	static const uint32_t batches[] = { 1, 7 };

	return params(batches, 2, 4);	/* key size 4 only: time */
}

ParameterizedTest(struct iparam *p, iter, concurrent, .timeout = 120)
{
	struct mspec ms;
	struct peer peer;
	char ctx[200];

	conf_require_bpf();
	init_ms(&ms, p, CC_MAX);
	snprintf(ctx, sizeof(ctx), "concurrent %s ks=%u batch=%u peer=%s",
		 bu_type_name(p->type), p->key_size, p->batch, mode_name(p->mode));
	if (bu_is_lru(p->type))
		bu_pin_cpu0();	/* threads inherit it; no early LRU eviction */
	peer_start(&peer, p->mode);
	cc_walk(NULL, &ms, p->batch, ctx);
	cc_walk(&peer, &ms, p->batch, ctx);
	peer_stop(&peer);
}
