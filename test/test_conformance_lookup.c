/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The command matrix (conformance_ops.h): LOOKUP_BATCH and
 * LOOKUP_AND_DELETE_BATCH. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "conformance_ops.h"

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
	int fd = ops_make_map(f), empty;

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
	int fd = ops_make_map(f);

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
	return ops_params();
}

ParameterizedTest(struct mparam *p, matrix, lookup, .timeout = 120)
{
	struct fixture f;
	int i = 0;

	ops_start(&f, p);
	while (ops_next_shape(&f, p, CMD_LOOKUP, &i)) {
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
	int fn = ops_make_map(f), fe = ops_make_map(f);

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

ParameterizedTestParameters(matrix, lookup_and_delete)
{
	return ops_params();
}

ParameterizedTest(struct mparam *p, matrix, lookup_and_delete, .timeout = 120)
{
	struct fixture f;
	int i = 0;

	ops_start(&f, p);
	while (ops_next_shape(&f, p, CMD_LOOKUP_AND_DELETE, &i)) {
		if (bu_is_hash(p->type))
			lad_hash(&f, p);
		else
			ops_unsupported_array(&f, p, CMD_LOOKUP_AND_DELETE);
	}
	peer_stop(&f.peer);
}

