/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The command matrix (conformance_ops.h): UPDATE_BATCH and DELETE_BATCH. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "conformance_ops.h"

/* ---- UPDATE_BATCH ------------------------------------------------------ */

ParameterizedTestParameters(matrix, update)
{
	return ops_params();
}

static void update(struct fixture *f, const struct mparam *p)
{
	uint32_t ks, stride, n = p->batch;
	uint8_t *keys, *vals;
	char ctx[260];
	int fn, fe;

	ks = f->ms.key_size;
	stride = bu_stride(&f->ms);
	fn = ops_make_map(f);
	fe = ops_make_map(f);
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
	ops_run_write(f, fn, fe, CMD_UPDATE, keys, vals, n, f->ctx);

	/* again, with the map changed by the first call */
	for (uint32_t i = 0; i < n; i++)
		bu_value(&f->ms, i, 7, vals + i * stride);
	snprintf(ctx, sizeof(ctx), "%s, second call", f->ctx);
	ops_run_write(f, fn, fe, CMD_UPDATE, keys, vals, n, ctx);
	free(keys);
	free(vals);
	close(fn);
	close(fe);
}

ParameterizedTest(struct mparam *p, matrix, update, .timeout = 120)
{
	struct fixture f;
	int i = 0;

	ops_start(&f, p);
	while (ops_next_shape(&f, p, CMD_UPDATE, &i))
		update(&f, p);
	peer_stop(&f.peer);
}

/* ---- DELETE_BATCH ------------------------------------------------------ */

ParameterizedTestParameters(matrix, delete)
{
	return ops_params();
}

static void delete(struct fixture *f, const struct mparam *p)
{
	uint32_t ks, n = p->batch, special[] = { 1, 5, 4000, 6 }, dups[] = { 8, 8 };
	uint8_t *keys;
	char ctx[260];
	int fn, fe;

	if (!bu_is_hash(p->type)) {
		ops_unsupported_array(f, p, CMD_DELETE);
		return;
	}
	ks = f->ms.key_size;
	fn = ops_make_map(f);
	fe = ops_make_map(f);
	peer_add_fd(&f->peer, fe);
	keys = calloc(n + 4, ks);
	cr_assert(keys);
	/* keys #0, #2, #4, ...: missing from #HASH_FILL on -> ENOENT with a count */
	for (uint32_t i = 0; i < n; i++)
		bu_key(&f->ms, 2 * i + 20 * (n == 7), keys + i * ks);
	ops_run_write(f, fn, fe, CMD_DELETE, keys, NULL, n, f->ctx);

	/* a missing key in the middle, then a key deleted twice */
	for (uint32_t i = 0; i < 4; i++)
		bu_key(&f->ms, special[i], keys + i * ks);
	snprintf(ctx, sizeof(ctx), "%s, missing key at #2", f->ctx);
	ops_run_write(f, fn, fe, CMD_DELETE, keys, NULL, 4, ctx);
	for (uint32_t i = 0; i < 2; i++)
		bu_key(&f->ms, dups[i], keys + i * ks);
	snprintf(ctx, sizeof(ctx), "%s, same key twice", f->ctx);
	ops_run_write(f, fn, fe, CMD_DELETE, keys, NULL, 2, ctx);
	free(keys);
	close(fn);
	close(fe);
}

ParameterizedTest(struct mparam *p, matrix, delete, .timeout = 120)
{
	struct fixture f;
	int i = 0;

	ops_start(&f, p);
	while (ops_next_shape(&f, p, CMD_DELETE, &i))
		delete(&f, p);
	peer_stop(&f.peer);
}
