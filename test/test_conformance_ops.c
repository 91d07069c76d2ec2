/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The command matrix: each batch command x {HASH, PERCPU_HASH, LRU_HASH,
 * LRU_PERCPU_HASH, ARRAY, PERCPU_ARRAY} x batch sizes {1, 7, 64, max_entries}
 * x peer modes {simulated 5.4 kernel, forced emulation, preloaded
 * pass-through} as Criterion parameters, and inside each test key sizes
 * {4, 16} (arrays: 4) x value sizes {8, 12}.
 *
 * Ground truth is this kernel: the same call is made natively. Arrays are
 * compared call by call, byte for byte; hash-family lookups are compared by
 * what a whole walk returns plus the per-call contract (semantics.md §3.1b:
 * the kernel's whole-bucket chunking cannot be reproduced in user space).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <linux/bpf.h>

#include "conformance.h"

#define HASH_MAX 150
#define HASH_FILL 90
#define ARRAY_MAX 120

struct mparam {
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t batch;
	uint32_t mode;
};

static const uint32_t types[] = {
	BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY,
};

static struct criterion_test_params matrix(void)
{
	static const uint32_t batches[] = { 1, 7, 64, 0 /* max_entries */ };
	size_t cap = 6 * 4 * MODE_NR, n = 0;
	struct mparam *p = cr_malloc(cap * sizeof(*p));

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (size_t b = 0; b < 4; b++)
			for (uint32_t m = 0; m < MODE_NR; m++) {
				bool hash = bu_is_hash(types[t]);

				p[n].type = types[t];
				p[n].batch = batches[b] ? batches[b] : (hash ? HASH_MAX : ARRAY_MAX);
				p[n].mode = m;
				n++;
			}
	return cr_make_param_array(struct mparam, p, n);
}

struct fixture {
	struct mspec ms;
	struct peer peer;
	char ctx[200];
};

static void start(struct fixture *f, const struct mparam *p)
{
	conf_require_bpf();
	if (bu_is_lru(p->type))
		bu_pin_cpu0();	/* LRU maps evict early when filled from several CPUs */
	peer_start(&f->peer, p->mode);
}

/* Key sizes {4, 16} (arrays: 4) x value sizes {8, 12}: *i counts through
 * them; false when done. Fills in the map shape and the message context. */
static bool next_shape(struct fixture *f, struct mparam *p, uint32_t cmd, int *i)
{
	static const uint32_t ksizes[] = { 4, 16 }, vsizes[] = { 8, 12 };
	int n = bu_is_hash(p->type) ? 4 : 2;

	if (*i >= n)
		return false;
	p->key_size = ksizes[*i / 2];
	p->value_size = vsizes[*i % 2];
	(*i)++;
	f->ms.type = p->type;
	f->ms.key_size = p->key_size;
	f->ms.value_size = p->value_size;
	f->ms.max_entries = bu_is_hash(p->type) ? HASH_MAX : ARRAY_MAX;
	snprintf(f->ctx, sizeof(f->ctx), "%s %s ks=%u vs=%u batch=%u peer=%s", cmd_name(cmd),
		 bu_type_name(p->type), p->key_size, p->value_size, p->batch,
		 mode_name(p->mode));
	return true;
}

/* A map with the standard content: hash keys #0..#HASH_FILL-1, array slots
 * with i % 3 != 0 set (the others stay zero). */
static int make_map(const struct fixture *f)
{
	int fd = bu_create(&f->ms), r;

	cr_assert(fd >= 0, "%s: map creation: %s", f->ctx, strerror(-fd));
	if (bu_is_hash(f->ms.type)) {
		r = bu_fill(fd, &f->ms, 0, HASH_FILL, 1);
	} else {
		r = 0;
		for (uint32_t i = 0; i < ARRAY_MAX && !r; i++)
			if (i % 3)
				r = bu_fill(fd, &f->ms, i, 1, 1);
	}
	cr_assert(r == 0, "%s: fill: %s", f->ctx, strerror(-r));
	return fd;
}

static void check_walk(const struct fixture *f, struct walk_result *r, const struct kvset *want,
		       const char *side)
{
	const char *why;
	long dup;

	kv_sort(&r->got);
	dup = kv_first_dup(&r->got);
	if (dup >= 0) {
		char kb[80];

		cr_assert_fail("%s (%s): key %s returned twice", f->ctx, side,
			       kv_keystr(&r->got, r->got.rec + kv_recsize(&r->got) * dup, kb,
					 sizeof(kb)));
	}
	cr_assert(kv_equal(want, &r->got, &why),
		  "%s (%s): the walk returned %u elements, the map holds %u: %s", f->ctx, side,
		  r->got.n, want->n, why);
}

/* ---- LOOKUP_BATCH ------------------------------------------------------ */

static void lookup_hash(struct fixture *f, const struct mparam *p)
{
	struct hash_walk w = {
		.cmd = CMD_LOOKUP, .batch = p->batch, .strict = true,
		.max_calls = HASH_FILL + 3,
	};
	struct walk_result rn, re;
	struct kvset want;
	uint32_t zero = 0, bad = 0xffffffff;
	struct outcome on, oe;
	struct call c;
	char ctx[260];
	int fd = make_map(f), empty;

	cr_assert(bu_dump(fd, &f->ms, &want) == 0);
	peer_add_fd(&f->peer, fd);

	hash_walk(NULL, fd, &f->ms, &w, &rn, f->ctx);
	check_walk(f, &rn, &want, "native");
	if (!peer_native_like(&f->peer))
		w.max_calls = HASH_FILL / p->batch + 3;	/* full batches, no ENOSPC */
	hash_walk(&f->peer, fd, &f->ms, &w, &re, f->ctx);
	check_walk(f, &re, &want, "emulated");
	kv_free(&rn.got);
	kv_free(&re.got);

	/* Passing through, the peer must be this kernel, call for call. */
	if (f->peer.mode == MODE_PASS)
		array_lockstep(&f->peer, fd, fd, &f->ms, CMD_LOOKUP, p->batch, NULL, f->ctx);

	/* A token of 0 means "from the start" (libbpf-tools, selftests); the
	 * batch size does not matter for that, one suffices. */
	if (p->batch == 7) {
		w.start_token = &zero;
		snprintf(ctx, sizeof(ctx), "%s, in_batch=&zero", f->ctx);
		hash_walk(&f->peer, fd, &f->ms, &w, &re, ctx);
		check_walk(f, &re, &want, "emulated, in_batch=&zero");
		kv_free(&re.got);
	}

	/* Out-of-range / unknown token: ENOENT, count 0, out_batch untouched. */
	snprintf(ctx, sizeof(ctx), "%s, in_batch=0xffffffff", f->ctx);
	call_init(&c, CMD_LOOKUP, fd);
	c.count = p->batch;
	call_buf(&c, RQ_IN_BATCH, RQ_VALID, 4, &bad);
	call_buf(&c, RQ_OUT_BATCH, RQ_VALID, 8, NULL);
	call_buf(&c, RQ_KEYS, RQ_VALID, p->batch * f->ms.key_size, NULL);
	call_buf(&c, RQ_VALUES, RQ_VALID, p->batch * bu_stride(&f->ms), NULL);
	call_run(NULL, &c, &on, ctx);
	call_run(&f->peer, &c, &oe, ctx);
	expect_same(&on, &oe, CMP_ALL, ctx);
	outcome_free(&on);
	outcome_free(&oe);

	/* Empty map: ENOENT with count 0 on the first call. */
	empty = bu_create(&f->ms);
	cr_assert(empty >= 0);
	peer_add_fd(&f->peer, empty);
	snprintf(ctx, sizeof(ctx), "%s, empty map", f->ctx);
	c.fd = empty;
	c.buf[RQ_IN_BATCH].kind = RQ_NULL;
	call_run(NULL, &c, &on, ctx);
	call_run(&f->peer, &c, &oe, ctx);
	expect_same(&on, &oe, CMP_KEYS | CMP_VALUES, ctx);
	cr_expect(oe.buf[RQ_OUT_BATCH][4] == 0xab && oe.buf[RQ_OUT_BATCH][7] == 0xab,
		  "%s: out_batch bytes 4..7 written", ctx);
	outcome_free(&on);
	outcome_free(&oe);
	kv_free(&want);
	close(fd);
	close(empty);
}

static void lookup_array(struct fixture *f, const struct mparam *p)
{
	const uint32_t starts[] = { 5, ARRAY_MAX - 1, ARRAY_MAX, 0xffffffff };
	char ctx[260];
	int fd = make_map(f);

	peer_add_fd(&f->peer, fd);
	array_lockstep(&f->peer, fd, fd, &f->ms, CMD_LOOKUP, p->batch, NULL, f->ctx);
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		if (p->batch == 1 && starts[i] != ARRAY_MAX - 1)
			continue;	/* long walks: the other batch sizes cover them */
		snprintf(ctx, sizeof(ctx), "%s, in_batch=%u", f->ctx, starts[i]);
		array_lockstep(&f->peer, fd, fd, &f->ms, CMD_LOOKUP, p->batch, &starts[i], ctx);
	}
	close(fd);
}

ParameterizedTestParameters(matrix, lookup)
{
	return matrix();
}

ParameterizedTest(struct mparam *p, matrix, lookup, .timeout = 120)
{
	struct fixture f;
	int i = 0;

	start(&f, p);
	while (next_shape(&f, p, CMD_LOOKUP, &i)) {
		if (bu_is_hash(p->type))
			lookup_hash(&f, p);
		else
			lookup_array(&f, p);
	}
	peer_stop(&f.peer);
}

/* ---- LOOKUP_AND_DELETE_BATCH ------------------------------------------- */

/* After each emulated call: exactly the returned elements are gone. */
struct lad_check {
	const struct fixture *f;
	int fd;
	const struct kvset *initial;
	struct kvset returned;
	uint32_t calls;
};

static void lad_after(void *arg, const uint8_t *keys, const uint8_t *values, uint32_t n)
{
	struct lad_check *lc = arg;
	struct kvset now;
	size_t ks = lc->returned.key_size, vs = lc->returned.stride;

	lc->calls++;
	for (uint32_t i = 0; i < n; i++)
		kv_add(&lc->returned, keys + i * ks, values + i * vs);
	cr_assert(bu_dump(lc->fd, &lc->f->ms, &now) == 0);
	cr_assert(now.n + lc->returned.n == lc->initial->n,
		  "%s (emulated): after call %u, %u elements returned but %u of %u remain",
		  lc->f->ctx, lc->calls, lc->returned.n, now.n, lc->initial->n);
	for (uint32_t i = 0; i < now.n; i++) {
		struct kvset *r = &lc->returned;
		const uint8_t *k = now.rec + kv_recsize(&now) * i;

		for (uint32_t j = 0; j < r->n; j++)
			cr_assert(memcmp(r->rec + kv_recsize(r) * j, k, ks),
				  "%s (emulated): after call %u a returned key is still in the map",
				  lc->f->ctx, lc->calls);
	}
	kv_free(&now);
}

static void lad_hash(struct fixture *f, const struct mparam *p)
{
	struct hash_walk w = {
		.cmd = CMD_LOOKUP_AND_DELETE, .batch = p->batch, .strict = true,
		.max_calls = HASH_FILL + 3,
	};
	struct walk_result rn, re;
	struct lad_check lc = { 0 };
	struct kvset want, none;
	int fn = make_map(f), fe = make_map(f);

	cr_assert(bu_dump(fn, &f->ms, &want) == 0);
	peer_add_fd(&f->peer, fe);
	hash_walk(NULL, fn, &f->ms, &w, &rn, f->ctx);
	check_walk(f, &rn, &want, "native");

	lc.f = f;
	lc.fd = fe;
	lc.initial = &want;
	kv_init(&lc.returned, &f->ms);
	w.after = lad_after;
	w.arg = &lc;
	if (!peer_native_like(&f->peer))
		w.max_calls = HASH_FILL / p->batch + 3;
	hash_walk(&f->peer, fe, &f->ms, &w, &re, f->ctx);
	check_walk(f, &re, &want, "emulated");

	kv_init(&none, &f->ms);
	expect_content(fn, &f->ms, &none, f->ctx);
	expect_content(fe, &f->ms, &none, f->ctx);
	kv_free(&lc.returned);
	kv_free(&rn.got);
	kv_free(&re.got);
	kv_free(&want);
}

/* Array types lack the op: 524 from both, nothing written, count untouched. */
static void unsupported_array(struct fixture *f, const struct mparam *p, uint32_t cmd)
{
	struct outcome on, oe;
	struct call c;
	int fn = make_map(f), fe = make_map(f);

	peer_add_fd(&f->peer, fe);
	call_init(&c, cmd, fn);
	c.count = p->batch;
	call_buf(&c, RQ_OUT_BATCH, RQ_VALID, 8, NULL);
	call_buf(&c, RQ_KEYS, RQ_VALID, p->batch * 4, NULL);
	call_buf(&c, RQ_VALUES, RQ_VALID, p->batch * bu_stride(&f->ms), NULL);
	call_run(NULL, &c, &on, f->ctx);
	c.fd = fe;
	call_run(&f->peer, &c, &oe, f->ctx);
	expect_same(&on, &oe, CMP_ALL, f->ctx);
	cr_expect(on.err == ENOTSUPP_, "%s: kernel says %d, semantics.md says 524", f->ctx,
		  on.err);
	expect_same_content(fn, fe, &f->ms, f->ctx);
	outcome_free(&on);
	outcome_free(&oe);
}

ParameterizedTestParameters(matrix, lookup_and_delete)
{
	return matrix();
}

ParameterizedTest(struct mparam *p, matrix, lookup_and_delete, .timeout = 120)
{
	struct fixture f;
	int i = 0;

	start(&f, p);
	while (next_shape(&f, p, CMD_LOOKUP_AND_DELETE, &i)) {
		if (bu_is_hash(p->type))
			lad_hash(&f, p);
		else
			unsupported_array(&f, p, CMD_LOOKUP_AND_DELETE);
	}
	peer_stop(&f.peer);
}

/* ---- UPDATE_BATCH ------------------------------------------------------ */

/* Run the same UPDATE or DELETE natively on fn and emulated on fe. */
static void run_write(struct fixture *f, int fn, int fe, uint32_t cmd, const void *keys,
		      const void *values, uint32_t n, const char *ctx)
{
	struct outcome on, oe;
	struct call c;

	call_init(&c, cmd, fn);
	c.count = n;
	call_buf(&c, RQ_KEYS, RQ_VALID, n * f->ms.key_size, keys);
	if (values)
		call_buf(&c, RQ_VALUES, RQ_VALID, n * bu_stride(&f->ms), values);
	call_run(NULL, &c, &on, ctx);
	c.fd = fe;
	call_run(&f->peer, &c, &oe, ctx);
	expect_same(&on, &oe, CMP_ALL, ctx);
	outcome_free(&on);
	outcome_free(&oe);
	expect_same_content(fn, fe, &f->ms, ctx);
}

ParameterizedTestParameters(matrix, update)
{
	return matrix();
}

static void update(struct fixture *f, const struct mparam *p)
{
	uint32_t ks, stride, n = p->batch;
	uint8_t *keys, *vals;
	char ctx[260];
	int fn, fe;

	ks = f->ms.key_size;
	stride = bu_stride(&f->ms);
	fn = make_map(f);
	fe = make_map(f);
	peer_add_fd(&f->peer, fe);
	keys = calloc(n, ks);
	vals = calloc(n, stride);
	cr_assert(keys && vals);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t idx;

		if (bu_is_hash(p->type))	/* half replace, half insert; full map -> E2BIG */
			idx = i % 2 ? HASH_FILL + i : i / 2;
		else				/* past the end -> E2BIG when batch = max */
			idx = (i * 37 + 5) % (ARRAY_MAX + (n == ARRAY_MAX ? 9 : 0));
		if (i == 3)
			idx = 0;		/* a duplicate of element #0: last wins */
		bu_key(&f->ms, idx, keys + i * ks);
		bu_value(&f->ms, idx, 2 + i, vals + i * stride);
	}
	run_write(f, fn, fe, CMD_UPDATE, keys, vals, n, f->ctx);

	/* again, with the map changed by the first call */
	for (uint32_t i = 0; i < n; i++)
		bu_value(&f->ms, i, 7, vals + i * stride);
	snprintf(ctx, sizeof(ctx), "%s, second call", f->ctx);
	run_write(f, fn, fe, CMD_UPDATE, keys, vals, n, ctx);
	free(keys);
	free(vals);
	close(fn);
	close(fe);
}

ParameterizedTest(struct mparam *p, matrix, update, .timeout = 120)
{
	struct fixture f;
	int i = 0;

	start(&f, p);
	while (next_shape(&f, p, CMD_UPDATE, &i))
		update(&f, p);
	peer_stop(&f.peer);
}

/* ---- DELETE_BATCH ------------------------------------------------------ */

ParameterizedTestParameters(matrix, delete)
{
	return matrix();
}

static void delete(struct fixture *f, const struct mparam *p)
{
	uint32_t ks, n = p->batch, special[] = { 1, 5, 4000, 6 }, dups[] = { 8, 8 };
	uint8_t *keys;
	char ctx[260];
	int fn, fe;

	if (!bu_is_hash(p->type)) {
		unsupported_array(f, p, CMD_DELETE);
		return;
	}
	ks = f->ms.key_size;
	fn = make_map(f);
	fe = make_map(f);
	peer_add_fd(&f->peer, fe);
	keys = calloc(n + 4, ks);
	cr_assert(keys);
	/* keys #0, #2, #4, ...: missing from #HASH_FILL on -> ENOENT with a count */
	for (uint32_t i = 0; i < n; i++)
		bu_key(&f->ms, 2 * i + 20 * (n == 7), keys + i * ks);
	run_write(f, fn, fe, CMD_DELETE, keys, NULL, n, f->ctx);

	/* a missing key in the middle, then a key deleted twice */
	for (uint32_t i = 0; i < 4; i++)
		bu_key(&f->ms, special[i], keys + i * ks);
	snprintf(ctx, sizeof(ctx), "%s, missing key at #2", f->ctx);
	run_write(f, fn, fe, CMD_DELETE, keys, NULL, 4, ctx);
	for (uint32_t i = 0; i < 2; i++)
		bu_key(&f->ms, dups[i], keys + i * ks);
	snprintf(ctx, sizeof(ctx), "%s, same key twice", f->ctx);
	run_write(f, fn, fe, CMD_DELETE, keys, NULL, 2, ctx);
	free(keys);
	close(fn);
	close(fe);
}

ParameterizedTest(struct mparam *p, matrix, delete, .timeout = 120)
{
	struct fixture f;
	int i = 0;

	start(&f, p);
	while (next_shape(&f, p, CMD_DELETE, &i))
		delete(&f, p);
	peer_stop(&f.peer);
}
