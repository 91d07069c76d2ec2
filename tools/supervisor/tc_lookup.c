/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * LOOKUP and LOOKUP_AND_DELETE. Read: the in token. Written: count, keys,
 * values, the token, leaving what the kernel's order leaves where one
 * faults: a fault on keys or values leaves count 0 and no token; on the
 * token, count 0 for the hash family (token before count) and n for the
 * generic walk (count before token).
 *
 * The core runs on local buffers and the results are copied back after it.
 * A lookup whose copy-back faults has changed nothing (tokens are values:
 * the retry is served the same chunk), so it is answered from the copy-back.
 * A lookup-and-delete would have deleted what it cannot hand back: its
 * keys, values and out_batch are probed first and mirrored locally with the
 * target's writable prefixes (target_buf.h), so it deletes exactly what the
 * preloaded shim would delete in the target.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "platform/uapi.h"
#include "supervisor/target_buf.h"
#include "supervisor/tc_private.h"

#define COUNT_OFF offsetof(struct bb_batch_attr, count)

struct lookup {
	uint32_t ks, stride, tok;
	uint64_t cap;           /* elements our buffers hold */
	unsigned char *buf;     /* in token, out token, its old bytes, keys, values */
	unsigned char *intok, *outtok, *orig, *keys, *vals;
	size_t out_readable;    /* bytes of the target's out token we could read */
	struct tb_mirror mk, mv, mo; /* what the core writes into */
};

/* How much of each buffer a lookup-and-delete writes can be written:
 * all of it for a lookup (answered from the copy-back instead). */
static long writable(struct tc_ctx *k, struct lookup *l, size_t *wk, size_t *wv, size_t *wo)
{
	const struct bb_batch_attr *ta = &k->ta;
	struct tm_span s[3] = {
		{ .remote = ta->keys, .len = (size_t)(l->cap * l->ks) },
		{ .remote = ta->values, .len = (size_t)(l->cap * l->stride) },
		{ .remote = ta->out_batch, .len = ta->out_batch ? l->tok : 0 },
	};
	int r;

	*wk = s[0].len;
	*wv = s[1].len;
	*wo = l->out_readable;
	if (k->c->cmd != BB_MAP_LOOKUP_AND_DELETE_BATCH || !l->cap)
		return 0;
	r = tm_writable(k->c->t->tid, s, 3);
	if (r == -ESRCH)
		return TC_GONE;
	if (r < 0) /* cannot tell: nothing is deleted, the core faults at once */
		s[0].done = s[1].done = s[2].done = 0;
	*wk = s[0].done;
	*wv = s[1].done;
	if (s[2].done < *wo)
		*wo = s[2].done;
	return 0;
}

/* Read the tokens, set up the core's buffers and attr. 0, -errno or TC_GONE. */
static long prepare(struct tc_ctx *k, struct lookup *l)
{
	const struct bb_batch_attr *ta = &k->ta;
	uint64_t per = (uint64_t)l->ks + l->stride, in = 0, out = 0;
	struct tm_span s[2];
	size_t wk, wv, wo;
	long r;

	if (l->cap && per > (SIZE_MAX / 2) / l->cap)
		return -ENOMEM;
	l->buf = malloc(3 * (size_t)l->tok + (size_t)(l->cap * per) + 1);
	if (!l->buf)
		return -ENOMEM;
	l->intok = l->buf;
	l->outtok = l->intok + l->tok;
	l->orig = l->outtok + l->tok;
	l->keys = l->orig + l->tok;
	l->vals = l->keys + l->cap * l->ks;

	s[0] = (struct tm_span){ .local = l->intok, .remote = ta->in_batch,
				 .len = ta->in_batch ? l->tok : 0 };
	s[1] = (struct tm_span){ .local = l->outtok, .remote = ta->out_batch,
				 .len = ta->out_batch ? l->tok : 0 };
	r = tm_read(k->c->t->tid, s, 2);
	if (r == -ESRCH)
		return TC_GONE;
	if (ta->in_batch)
		in = l->tok && s[0].done == l->tok ? tc_ptr(l->intok) : tc_ptr(tc_bad());
	l->out_readable = s[1].done;
	memcpy(l->orig, l->outtok, l->tok);

	r = writable(k, l, &wk, &wv, &wo);
	if (!r)
		r = tb_mirror_new(&l->mk, l->keys, (size_t)(l->cap * l->ks), wk, tc_bad());
	if (!r)
		r = tb_mirror_new(&l->mv, l->vals, (size_t)(l->cap * l->stride), wv, tc_bad());
	if (!r && ta->out_batch) {
		/* No token size (no map): the command fails before it. */
		r = tb_mirror_new(&l->mo, l->outtok, l->tok, l->tok ? wo : 0, tc_bad());
		out = tc_ptr(l->mo.local);
	}
	if (r)
		return r;
	tc_set_attr(k, in, out, l->cap ? tc_ptr(l->mk.local) : tc_ptr(tc_bad()),
		    l->cap ? tc_ptr(l->mv.local) : tc_ptr(tc_bad()), (uint32_t)l->cap);
	return 0;
}

/*
 * Copy what the core returned into the target. count first, always: a
 * lookup did not check beforehand that the attr can be written, and the
 * kernel writes count (0) before anything else, so an attr it cannot write
 * fails the call with nothing written. Then keys, values and the token; a
 * fault there leaves count as the kernel's order would (0, except where the
 * generic walk's token alone failed: count then stays n).
 */
static long write_back(struct tc_ctx *k, struct lookup *l, long r, uint32_t n)
{
	const struct bb_batch_attr *ta = &k->ta;
	bool hash = k->m.family == BB_FAM_HASH;
	bool tok_whole = ta->out_batch && l->mo.local == l->outtok;
	bool tok_changed = tok_whole && memcmp(l->outtok, l->orig, l->tok);
	struct tm_span s[4] = {
		{ .local = &n, .remote = k->c->uattr + COUNT_OFF, .len = sizeof(n) },
		{ .local = l->mk.local, .remote = ta->keys, .len = (size_t)n * l->ks },
		{ .local = l->mv.local, .remote = ta->values, .len = (size_t)n * l->stride },
		{ .local = l->outtok, .remote = ta->out_batch, .len = tok_changed ? l->tok : 0 },
	};
	uint32_t zero = 0;
	long w = tc_put_spans(k, s, 4);

	if (w == TC_GONE || w == 4)
		return w == 4 ? r : TC_GONE;
	if (w > 0 && (w < 3 || hash)) {
		w = tc_put_count(k, zero);
		if (w == TC_GONE)
			return TC_GONE;
	}
	return -EFAULT;
}

long tc_lookup(struct tc_ctx *k)
{
	const struct bb_batch_attr *ta = &k->ta;
	struct lookup l = { .ks = k->m.info.key_size, .stride = k->m.value_stride };
	bool out_short, written;
	uint32_t n;
	long r;

	if (k->have_map) {
		l.tok = bb_maptype_token_size(k->m.info.type, l.ks);
		/* Never more than max_entries elements come back (an array
		 * that fills count exactly answers 0, hence the + 1): the
		 * bound keeps a huge count from sizing our buffers. */
		l.cap = ta->count;
		if (l.cap > (uint64_t)k->m.info.max_entries + 1)
			l.cap = (uint64_t)k->m.info.max_entries + 1;
	}
	r = prepare(k, &l);
	if (!r) {
		r = tc_run_core(k, &n);
		/* Did the command get past its checks (and so write count)? */
		out_short = ta->out_batch && l.mo.local != l.outtok;
		written = (r == 0 && ta->count) || r == -ENOENT || n != l.cap ||
			  (r == -EFAULT && out_short);
		if (written && n <= l.cap)
			r = write_back(k, &l, r, n);
	}
	tb_mirror_free(&l.mk);
	tb_mirror_free(&l.mv);
	tb_mirror_free(&l.mo);
	free(l.buf);
	return r;
}
