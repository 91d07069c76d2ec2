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

#include "walk_call.h"

/* In the checks below: a failure of side s, then return false. */
#define FAIL(rule, ...) FZ_SIDE_FAIL(r, s, rule, __VA_ARGS__)

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
		RQ_VALID, op->fault == FZ_F_VALUES ? at * vs + op->partial % vs : count * vs,
		NULL };
}

static void side_call(struct fz_run *r, struct fz_walk *w, int s, const struct fz_op *op,
		      const struct fz_step *orig, struct fz_ans *a, struct fz_step *st)
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

static bool account(struct fz_run *r, struct fz_walk *w, int s, const struct fz_op *op,
		    const struct fz_step *st)
{
	struct fz_wside *ws = &w->s[s];
	uint32_t keep = ws->nsteps;
	long k;

	if (st->err == EFAULT)
		keep = FZ_OFF_PATH; /* the walk stays where it was */
	else if (op->kind == FZ_OP_REISSUE)
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
	/* From a deleted key the emulation handed out as a token: it goes on
	 * after it, the kernel restarts (design rule 2 over the kernel's walk) */
	if (w->start_key >= 0 && r->emu_tok[w->start_key] && !b->start[w->start_key])
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

static void trace(struct fz_run *r, const struct fz_ans *a, const struct fz_step *st)
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

/* Arrays: the same call on both sides; the same answer, byte for byte. */
static void compare_array_calls(struct fz_run *r, const struct fz_walk *w,
				const struct fz_res *x, const struct fz_res *y)
{
	static const char *const names[] = { "", "out_batch", "keys", "values" };
	bool same = x->ret == y->ret && x->err == y->err && x->count == y->count;
	char bx[64], by[64], where[96] = "";

	for (int i = RQ_OUT_BATCH; i < RQ_NBUF && same; i++) {
		uint32_t b = 0;

		while (b < x->len[i] && x->buf[i][b] == y->buf[i][b])
			b++;
		if (b == x->len[i])
			continue;
		same = false;
		snprintf(where, sizeof(where), "; %s differ from byte %u of %u (native 0x%02x, "
			 "emulated 0x%02x)", names[i], b, x->len[i], x->buf[i][b], y->buf[i][b]);
	}
	if (!same)
		fz_failf(&r->fail, r->op, "cross:array-call", "W%u: native %s, emulated %s%s",
			 w->id, fz_res_str(x, bx, sizeof(bx)), fz_res_str(y, by, sizeof(by)),
			 where);
}

static void call_op(struct fz_run *r, struct fz_walk *w, const struct fz_op *op)
{
	struct fz_step st[2] = { 0 };
	const struct fz_step *orig[2] = { NULL, NULL };
	const struct fz_call *cs[2];
	struct fz_res res[2];
	struct fz_ans a[2];
	bool step[2] = { false, false };

	for (int s = 0; s < 2 && !r->fail.failed; s++) {
		if (op->kind == FZ_OP_REISSUE)
			orig[s] = fz_wside_back(&w->s[s], op->back);
		side_call(r, w, s, op, orig[s], &a[s], &st[s]);
	}
	if (r->fail.failed)
		return;
	cs[0] = a[0].called ? &a[0].c : NULL;
	cs[1] = a[1].called ? &a[1].c : NULL;
	if (fz_run_calls(r, cs, res))
		return;
	a[0].res = res[0];
	a[1].res = res[1];
	if (r->u.fam == FZ_FAM_ARRAY && a[0].called != a[1].called)
		fz_failf(&r->fail, r->op, "cross:array-walk", "W%u: the %s walk ended, the other "
			 "did not", w->id, a[0].called ? "emulated" : "native");
	for (int s = 0; s < 2 && !r->fail.failed; s++)
		if (a[s].called)
			step[s] = fz_walk_check_call(r, w, s, op, &a[s], &st[s]);
	if (r->trace)
		trace(r, a, st);
	if (!r->fail.failed && r->u.fam == FZ_FAM_ARRAY && a[0].called && a[1].called)
		compare_array_calls(r, w, &a[0].res, &a[1].res);
	for (int s = 0; s < 2 && !r->fail.failed; s++) {
		if (!step[s])
			continue;
		if (orig[s] && fz_walk_same_chunk(r, w, s, op, orig[s], &st[s]))
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
			w->start_key = op->start == FZ_START_KEY && op->start_key < r->u.n ?
					       (int32_t)op->start_key : -1;
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
