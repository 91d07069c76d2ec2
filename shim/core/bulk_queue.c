/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/bulk_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "platform/mem.h"

void bb_tq_init(struct bb_take_queue *t, const struct bb_emu_call *c, bool del)
{
	uint32_t n;

	memset(t, 0, sizeof(*t));
	if (bb_bulk_open(c, del ? BB_BULK_LOOKUP_DELETE : BB_BULK_LOOKUP, &t->b))
		return;
	n = bb_bulk_n(&t->b);
	t->ks = c->m.info.key_size;
	t->vs = c->m.value_stride;
	t->keys = (char *)(uintptr_t)c->a.keys;
	t->values = (char *)(uintptr_t)c->a.values;
	t->qkeys = malloc((size_t)n * (t->ks + t->vs + 1));
	if (!t->qkeys) {
		bb_bulk_close(&t->b);
		return;
	}
	t->qvals = t->qkeys + (size_t)n * t->ks;
	t->present = t->qvals + (size_t)n * t->vs;
	t->on = true;
}

void bb_tq_fini(struct bb_take_queue *t)
{
	if (!t->on)
		return;
	bb_bulk_close(&t->b);
	free(t->qkeys);
	t->on = false;
}

void bb_tq_push(struct bb_take_queue *t, const void *key, uint32_t *n)
{
	if (!t->q)
		t->base = *n;
	memcpy(t->qkeys + (size_t)t->q * t->ks, key, t->ks);
	t->q++;
	(*n)++;
}

/* Drop the queued keys the skip rule says to: the hint first runs over all
 * of them, so that the rule's memory misses overlap. The queue keeps its
 * order. The number of keys kept, or -errno. */
static long apply_skip(struct bb_take_queue *t, uint32_t q)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; t->hint && i < q; i++)
		t->hint(t->skip_arg, t->qkeys + (size_t)i * t->ks);
	for (uint32_t i = 0; i < q; i++) {
		const unsigned char *key = t->qkeys + (size_t)i * t->ks;
		int r = t->skip(t->skip_arg, key);

		if (r < 0)
			return r;
		if (r) {
			t->skipped++;
			continue;
		}
		if (i != kept)
			memmove(t->qkeys + (size_t)kept * t->ks, key, t->ks);
		kept++;
	}
	return kept;
}

long bb_tq_flush(struct bb_take_queue *t, uint32_t *n)
{
	uint32_t q = t->q, done, found = 0;
	long r, wv, wk, nk;

	if (!t->on || !q)
		return 0;
	t->q = 0;
	if (t->skip) {
		r = apply_skip(t, q);
		if (r <= 0) {
			*n = t->base;
			return r;
		}
		q = (uint32_t)r;
	}
	r = bb_bulk_take(&t->b, t->qkeys, q, t->qvals, t->present, &done);
	for (uint32_t i = 0; i < done; i++) {
		if (!t->present[i])
			continue;
		if (i != found) {
			memmove(t->qkeys + (size_t)found * t->ks, t->qkeys + (size_t)i * t->ks, t->ks);
			memmove(t->qvals + (size_t)found * t->vs, t->qvals + (size_t)i * t->vs, t->vs);
		}
		found++;
	}
	*n = t->base + found;
	/* Values, then keys: in one syscall where both can be written whole. */
	if (!found || !bb_mem_write2(t->values + (size_t)t->base * t->vs, t->qvals,
				     (size_t)found * t->vs, t->keys + (size_t)t->base * t->ks,
				     t->qkeys, (size_t)found * t->ks))
		return r;
	wv = bb_mem_write_elems(t->values + (size_t)t->base * t->vs, t->qvals, t->vs, found);
	if (wv < 0)
		wv = 0;
	nk = (uint32_t)wv < found ? wv + 1 : found;
	wk = bb_mem_write_elems(t->keys + (size_t)t->base * t->ks, t->qkeys, t->ks, (uint32_t)nk);
	if (wv < found || wk < nk)
		return -EFAULT;
	return r;
}
