/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Lookup walks, op by op. Comparison rules (the contract lets the emulation
 * chunk hash maps differently, so only arrays compare call by call):
 *  - arrays: both sides make the same call with the same token; ret, count,
 *    token, keys and values must be identical;
 *  - every side, every call: validation answers as the kernel's; ENOSPC only
 *    natively; EFAULT only with a bad buffer, count 0 and the token as it
 *    was; each returned key in the map with its current value; nothing
 *    written past count; 0 means progress; the generic count/ENOENT rules;
 *  - a token re-issued on an unchanged map returns the same chunk;
 *  - a completed walk returned every key present throughout exactly once,
 *    none twice, and the same such keys on both sides;
 *  - a drain that fails with EFAULT: the emulation lost nothing (the kernel
 *    loses what it unlinked; its map is re-read).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static const char *const side_name[2] = { "native", "emu" };

struct ans {
	bool called;
	struct fz_call c;
	struct fz_res res;
	uint64_t version;	/* the side's model version before the call */
};

static bool hash_fam(const struct fz_run *r)
{
	return r->u.fam == FZ_FAM_HASH;
}

static uint32_t n_buckets(const struct fz_run *r)
{
	uint32_t b = 1;

	while (b < r->u.ms.max_entries)
		b <<= 1;
	return b;
}

static bool untouched(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0xab)
			return false;
	return true;
}

static bool bufs_untouched(const struct fz_res *res)
{
	for (int i = RQ_OUT_BATCH; i < RQ_NBUF; i++)
		if (res->buf[i] && !untouched(res->buf[i], res->len[i]))
			return false;
	return true;
}

static void build(const struct fz_run *r, const struct fz_walk *w, const struct fz_op *op, int s,
		  uint32_t count, const uint8_t *tok, uint32_t len, struct fz_call *c)
{
	uint32_t ks = r->u.ms.key_size, vs = r->u.stride, tl = r->u.tok_len;
	uint32_t at = op->fault_at < count ? op->fault_at : count;

	memset(c, 0, sizeof(*c));
	c->cmd = w->del ? FZ_CMD_LOOKUP_AND_DELETE : FZ_CMD_LOOKUP;
	c->fd = r->fd[s];
	c->count = count;
	c->elem_flags = op->elem_flags;
	c->flags = op->flags;
	c->attr_rdonly = op->fault == FZ_F_ATTR;
	c->buf[RQ_IN_BATCH] = (struct fz_buf){ len ? RQ_VALID : RQ_NULL, len, tok };
	if (op->fault == FZ_F_IN)
		c->buf[RQ_IN_BATCH] = (struct fz_buf){ RQ_UNMAPPED, 0, NULL };
	c->buf[RQ_OUT_BATCH] =
		(struct fz_buf){ RQ_VALID, op->fault == FZ_F_OUT ? op->fault_at % tl : tl, NULL };
	c->buf[RQ_KEYS] = (struct fz_buf){
		RQ_VALID, op->fault == FZ_F_KEYS ? at * ks + op->partial % ks : count * ks, NULL };
	c->buf[RQ_VALUES] = (struct fz_buf){
		RQ_VALID, op->fault == FZ_F_VALUES ? at * vs + op->partial % vs : count * vs, NULL };
}

/* The answer the contract fixes whatever the map holds (validation, count
 * 0, a fault before anything is read), or false. */
static bool predicted(const struct fz_run *r, const struct fz_walk *w, const struct fz_call *c,
		      struct fz_res *p)
{
	memset(p, 0, sizeof(*p));
	p->ret = -1;
	p->count = c->count; /* untouched */
	if (c->cmd == FZ_CMD_LOOKUP_AND_DELETE && !hash_fam(r) && !w->emu_only)
		p->err = FZ_ENOTSUPP;
	else if (c->elem_flags || (hash_fam(r) && c->flags))
		p->err = EINVAL;
	else if (!c->count)
		p->ret = p->count = 0;
	else if (c->attr_rdonly)
		p->err = EFAULT;
	else if (c->buf[RQ_IN_BATCH].kind == RQ_UNMAPPED)
		p->err = EFAULT, p->count = 0;
	else
		return false;
	return true;
}

static void side_call(struct fz_run *r, struct fz_walk *w, int s, const struct fz_op *op,
		      const struct fz_step *orig, struct ans *a, struct fz_step *st)
{
	struct fz_wside *ws = &w->s[s];
	const uint8_t *tok;
	uint32_t len, count = op->count;

	a->called = false;
	if (ws->done || (op->kind == FZ_OP_REISSUE && !orig))
		return;
	if (orig) {
		tok = orig->in_tok;
		len = orig->in_len;
		if (op->same_count)
			count = orig->count;
	} else {
		tok = fz_wside_token(ws, &len);
	}
	if (!ws->started)
		fz_wside_begin(ws, &r->m[s]);
	memset(st, 0, sizeof(*st));
	st->count = count;
	st->in_len = len;
	memcpy(st->in_tok, tok, len);
	build(r, w, op, s, count, st->in_tok, len, &a->c);
	a->version = r->m[s].version;
	st->version = a->version;
	a->called = true;
}

/* After a failed drain call: what did it delete? */
static void drain_efault(struct fz_run *r, const struct fz_walk *w, int s)
{
	struct fz_model now;
	char a[160], b[160];
	uint32_t gone = 0;
	long d;
	int e = fz_model_read(&now, &r->u, r->fd[s]);

	if (e) {
		fz_failf(&r->fail, r->op, "setup", "cannot read the map back: %s", strerror(-e));
		fz_model_free(&now);
		return;
	}
	for (uint32_t i = 0; i < now.n; i++)
		gone += r->m[s].present[i] && !now.present[i];
	if (fz_run_kernel_rules(r, s, w)) /* the kernel loses the buckets it unlinked (§3.2) */
		for (uint32_t i = 0; i < now.n; i++)
			if (r->m[s].present[i] && !now.present[i])
				fz_run_set(r, s, i, NULL, NULL);
	d = fz_model_diff(&r->m[s], &now);
	if (d >= 0)
		fz_failf(&r->fail, r->op, s ? "emu:drain-efault-lost" : "native:drain-efault",
			 "LOOKUP_AND_DELETE_BATCH failed with EFAULT (count 0) and the %s map "
			 "changed: %u elements gone; first: expected %s, map has %s (a failed "
			 "call must lose nothing)", side_name[s], gone,
			 fz_model_desc(&r->u, &r->m[s], (uint32_t)d, a, sizeof(a)),
			 fz_model_desc(&r->u, &now, (uint32_t)d, b, sizeof(b)));
	fz_model_free(&now);
}

#define FAIL(rule, ...)                                                                    \
	do {                                                                               \
		char check_[48];                                                           \
		snprintf(check_, sizeof(check_), "%s:%s", side_name[s], rule);             \
		fz_failf(&r->fail, r->op, check_, __VA_ARGS__);                            \
		return false;                                                              \
	} while (0)

/* Checks of one call on its own; true if it returned elements (a step). */
static bool check_call(struct fz_run *r, struct fz_walk *w, int s, const struct fz_op *op,
		       struct ans *a, struct fz_step *st)
{
	const struct fz_res *res = &a->res;
	const struct fz_call *c = &a->c;
	uint32_t ks = r->u.ms.key_size, vs = r->u.stride, n = res->count;
	int err = res->ret < 0 ? res->err : 0;
	bool hash = hash_fam(r), fo = op->fault == FZ_F_OUT;
	bool fk = c->buf[RQ_KEYS].len < c->count * ks, fv = c->buf[RQ_VALUES].len < c->count * vs;
	char got[64], want[64];
	struct fz_res p;

	if (predicted(r, w, c, &p)) {
		if (res->ret != p.ret || res->err != p.err || res->count != p.count ||
		    !bufs_untouched(res))
			FAIL("call-result", "W%u: returned %s%s; the contract says %s with nothing "
			     "written", w->id, fz_res_str(res, got, sizeof(got)),
			     bufs_untouched(res) ? "" : " and wrote to a buffer",
			     fz_res_str(&p, want, sizeof(want)));
		return false;
	}
	if (err == ENOSPC) {
		if (fz_run_kernel_rules(r, s, w) && hash && n == 0)
			return false; /* a bucket larger than count */
		FAIL("enospc", "W%u: ENOSPC count=%u (the emulation never answers ENOSPC)", w->id, n);
	}
	if (err == EFAULT) {
		if (!fk && !fv && !fo)
			FAIL("efault", "W%u: EFAULT count=%u although every buffer is valid", w->id, n);
		if (n && (hash || !fo))
			FAIL("efault", "W%u: EFAULT with count=%u (the kernel reports 0)", w->id, n);
		if (hash && !fo && !untouched(res->buf[RQ_OUT_BATCH], res->len[RQ_OUT_BATCH]))
			FAIL("efault", "W%u: EFAULT but out_batch was written", w->id);
		if (w->del)
			drain_efault(r, w, s);
		return false;
	}
	if (err && err != ENOENT)
		FAIL("errno", "W%u: unexpected %s", w->id, fz_res_str(res, got, sizeof(got)));
	if (n > c->count || (size_t)n * ks > res->len[RQ_KEYS] || (size_t)n * vs > res->len[RQ_VALUES])
		FAIL("count", "W%u: count %u > requested %u or more than the buffers hold", w->id,
		     n, c->count);
	/* (hash, ENOENT, count 0, no token: the unknown-token answer, judged
	 * by the walk's checks) */
	if (fo && (hash || n) && !(hash && err && !n))
		FAIL("token", "W%u: %s with count %u although out_batch cannot be written: "
		     "the next token was not handed out", w->id, fz_err_name(err), n);
	if (!err && !n)
		FAIL("progress", "W%u: returned 0 with count 0 (no progress)", w->id);
	if (!hash && ((!err && n != c->count) || (err && n >= c->count)))
		FAIL("generic-count", "W%u: %s with count %u of %u (generic: 0 only when count is "
		     "filled, ENOENT only when not)", w->id, fz_err_name(err), n, c->count);
	if (hash && err && !fo) {
		uint32_t t;

		memcpy(&t, res->buf[RQ_OUT_BATCH], 4);
		/* n_buckets; or, count 0 and no token, the answer to an unknown
		 * (out of range) token: the walk's checks judge if that is right */
		if (t != n_buckets(r) && (n || !untouched(res->buf[RQ_OUT_BATCH], 4)))
			FAIL("token", "W%u: ENOENT with token %u, the kernel's is n_buckets = %u",
			     w->id, t, n_buckets(r));
	}
	if (!hash && err && !n && !untouched(res->buf[RQ_OUT_BATCH], res->len[RQ_OUT_BATCH]))
		FAIL("token", "W%u: ENOENT with nothing returned wrote out_batch", w->id);
	if (!untouched(res->buf[RQ_KEYS] + (size_t)n * ks, res->len[RQ_KEYS] - (size_t)n * ks) ||
	    !untouched(res->buf[RQ_VALUES] + (size_t)n * vs, res->len[RQ_VALUES] - (size_t)n * vs))
		FAIL("overwrite", "W%u: wrote keys or values past count %u", w->id, n);

	if (!fo)
		memcpy(st->out_tok, res->buf[RQ_OUT_BATCH], r->u.tok_len);
	st->err = err;
	st->n = n;
	st->keys = calloc(n ? n : 1, sizeof(uint32_t));
	if (!st->keys)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *key = res->buf[RQ_KEYS] + (size_t)i * ks;
		const uint8_t *val = res->buf[RQ_VALUES] + (size_t)i * vs;
		long k = fz_key_index(&r->u, key);

		if (k < 0)
			FAIL("unknown-key", "W%u: element %u is a key never inserted", w->id, i);
		st->keys[i] = (uint32_t)k;
		if (!r->m[s].present[k])
			FAIL("absent-key", "W%u: element %u is key #%u, not in the map%s", w->id, i,
			     (uint32_t)k, w->del ? " (or returned twice by this call)" : "");
		if (memcmp(val, fz_model_val(&r->m[s], (uint32_t)k), vs))
			FAIL("value", "W%u: element %u, key #%u: wrong value", w->id, i, (uint32_t)k);
		if (w->del)
			fz_run_set(r, s, (uint32_t)k, NULL, w);
	}
	return true;
}

/* A re-issued token on a map unchanged since: the same answer (rule 2). */
static bool check_same_chunk(struct fz_run *r, const struct fz_walk *w, int s,
			     const struct fz_op *op, const struct fz_step *orig,
			     const struct fz_step *st)
{
	char a[160], b[160];

	if (w->del || st->count != orig->count || st->version != orig->version)
		return true;
	if (st->err == orig->err && st->n == orig->n &&
	    !memcmp(st->keys, orig->keys, st->n * sizeof(uint32_t)))
		return true;
	FAIL("reissue-same-chunk", "W%u: the token of call -%u, re-issued on an unchanged map, "
	     "returned %s n=%u %s; the first time %s n=%u %s", w->id, op->back + 1,
	     fz_err_name(st->err), st->n, fz_keys_str(st->keys, st->n, a, sizeof(a)),
	     fz_err_name(orig->err), orig->n, fz_keys_str(orig->keys, orig->n, b, sizeof(b)));
}

static bool account(struct fz_run *r, struct fz_walk *w, int s, const struct fz_op *op,
		    const struct fz_step *st)
{
	struct fz_wside *ws = &w->s[s];
	uint32_t keep = ws->nsteps;
	long k;

	if (op->kind == FZ_OP_REISSUE)
		keep = op->adopt ? ws->nsteps - 1 - op->back : FZ_OFF_PATH;
	k = fz_wside_account(ws, w->del, st, keep, !ws->unreliable);
	if (k >= 0)
		FAIL("walk-duplicate", "W%u: key #%ld returned a second time in one walk, "
		     "without being deleted and inserted in between", w->id, k);
	if (ws->nsteps > 2 * r->u.n + 16)
		FAIL("walk-endless", "W%u: %u calls and no end", w->id, ws->nsteps);
	if (!ws->done || w->partial || ws->unreliable)
		return true;
	k = fz_wside_missed(ws, r->u.n);
	if (k >= 0)
		FAIL("walk-missed-key", "W%u ended (ENOENT after %u calls) without returning key "
		     "#%ld, which was in the map for the whole walk", w->id, ws->nsteps, k);
	return true;
}

/* Both sides done: the keys present throughout on both were returned by both. */
static void compare_walks(struct fz_run *r, struct fz_walk *w)
{
	const struct fz_wside *a = &w->s[FZ_NAT], *b = &w->s[FZ_EMU];
	uint32_t stable = 0, ra = 0, rb = 0;
	long first = -1;

	if (a->unreliable || b->unreliable || w->emu_only)
		return;
	/* From a key: where a walk starts depends on the rest of the map */
	if (w->partial && memcmp(a->start, b->start, r->u.n))
		return;
	for (uint32_t k = 0; k < r->u.n; k++) {
		if (!a->start[k] || a->touched[k] || !b->start[k] || b->touched[k])
			continue;
		stable++;
		ra += a->times[k] > 0;
		rb += b->times[k] > 0;
		if ((a->times[k] > 0) != (b->times[k] > 0) && first < 0)
			first = k;
	}
	if (first >= 0)
		fz_failf(&r->fail, r->op, "cross:walk-sets",
			 "W%u: of %u keys present throughout on both sides, native returned %u, "
			 "emulated %u; key #%ld only by %s", w->id, stable, ra, rb, first,
			 a->times[first] ? "native" : "emulated");
}

static void trace(struct fz_run *r, const struct ans *a, const struct fz_step *st)
{
	char buf[2][200], got[64], keys[160];

	for (int s = 0; s < 2; s++) {
		if (!a[s].called)
			snprintf(buf[s], sizeof(buf[s]), "-");
		else
			snprintf(buf[s], sizeof(buf[s]), "%s %s", fz_res_str(&a[s].res, got,
				 sizeof(got)), st[s].keys ? fz_keys_str(st[s].keys, st[s].n, keys,
				 sizeof(keys)) : "");
	}
	fprintf(r->trace, "      native: %s\n      emu:    %s\n", buf[0], buf[1]);
}

static void call_op(struct fz_run *r, struct fz_walk *w, const struct fz_op *op)
{
	struct fz_step st[2] = { 0 };
	const struct fz_step *orig[2] = { NULL, NULL };
	struct ans a[2];
	bool step[2] = { false, false };

	for (int s = 0; s < 2 && !r->fail.failed; s++) {
		if (op->kind == FZ_OP_REISSUE)
			orig[s] = fz_wside_back(&w->s[s], op->back);
		side_call(r, w, s, op, orig[s], &a[s], &st[s]);
	}
	if (r->fail.failed)
		return;
	{
		const struct fz_call *cs[2] = { a[0].called ? &a[0].c : NULL,
						a[1].called ? &a[1].c : NULL };
		struct fz_res res[2];

		if (fz_run_calls(r, cs, res))
			return;
		a[0].res = res[0];
		a[1].res = res[1];
	}
	if (r->u.fam == FZ_FAM_ARRAY && a[0].called != a[1].called)
		fz_failf(&r->fail, r->op, "cross:array-walk", "W%u: the %s walk ended, the other "
			 "did not", w->id, a[0].called ? "emulated" : "native");
	for (int s = 0; s < 2 && !r->fail.failed; s++)
		if (a[s].called)
			step[s] = check_call(r, w, s, op, &a[s], &st[s]);
	if (r->trace)
		trace(r, a, st);
	if (!r->fail.failed && r->u.fam == FZ_FAM_ARRAY && a[0].called && a[1].called) {
		const struct fz_res *x = &a[0].res, *y = &a[1].res;
		bool same = x->ret == y->ret && x->err == y->err && x->count == y->count;
		char bx[64], by[64];

		static const char *const names[] = { "", "out_batch", "keys", "values" };
		char where[96] = "";

		for (int i = RQ_OUT_BATCH; i < RQ_NBUF && same; i++) {
			uint32_t b = 0;

			while (b < x->len[i] && x->buf[i][b] == y->buf[i][b])
				b++;
			if (b == x->len[i])
				continue;
			same = false;
			snprintf(where, sizeof(where), "; %s differ from byte %u of %u (native "
				 "0x%02x, emulated 0x%02x)", names[i], b, x->len[i], x->buf[i][b],
				 y->buf[i][b]);
		}
		if (!same)
			fz_failf(&r->fail, r->op, "cross:array-call", "W%u: native %s, emulated %s%s",
				 w->id, fz_res_str(x, bx, sizeof(bx)), fz_res_str(y, by, sizeof(by)),
				 where);
	}
	for (int s = 0; s < 2 && !r->fail.failed; s++) {
		if (!step[s])
			continue;
		if (orig[s] && check_same_chunk(r, w, s, op, orig[s], &st[s]))
			account(r, w, s, op, &st[s]);
		else if (!orig[s])
			account(r, w, s, op, &st[s]);
	}
	free(st[0].keys);
	free(st[1].keys);
	if (!r->fail.failed && w->s[0].done && w->s[1].done) {
		compare_walks(r, w);
		fz_run_walk_remove(r, w);
	}
}

void fz_run_walk_op(struct fz_run *r, const struct fz_op *op)
{
	struct fz_walk *w = fz_run_walk(r, op->walk);
	uint8_t zero[8] = { 0 };

	switch (op->kind) {
	case FZ_OP_STEP:
		if (op->fresh) {
			const void *tok = zero;
			uint32_t len = 0;

			if (w || r->nwalks == FZ_WALKS_MAX)
				return;
			if (op->start == FZ_START_ZERO4 || op->start == FZ_START_ZERO8)
				len = op->start == FZ_START_ZERO4 ? 4 : 8;
			else if (op->start == FZ_START_KEY && op->start_key < r->u.n + r->u.nbad)
				tok = fz_key(&r->u, op->start_key), len = r->u.tok_len;
			w = fz_walk_new(op->walk, op->del, r->u.n, r->u.tok_len, tok, len);
			w->partial = op->start == FZ_START_KEY;
			/* The shim adds LOOKUP_AND_DELETE to LPM tries (map-types.md);
			 * the kernel has none (524): only the emulated side walks. */
			if (op->del && r->u.fam == FZ_FAM_LPM) {
				w->emu_only = true;
				w->s[FZ_NAT].started = w->s[FZ_NAT].done = true;
			}
			r->walks[r->nwalks++] = w;
		}
		if (w)
			call_op(r, w, op);
		break;
	case FZ_OP_REISSUE:
		if (w)
			call_op(r, w, op);
		break;
	case FZ_OP_FORK:
		if (w && r->nwalks < FZ_WALKS_MAX && !fz_run_walk(r, op->walk2))
			r->walks[r->nwalks++] = fz_walk_clone(w, op->walk2);
		break;
	case FZ_OP_ABANDON:
		if (w)
			fz_run_walk_remove(r, w);
		break;
	default:
		break;
	}
}
