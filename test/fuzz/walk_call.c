/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * One walk call on one side, judged on its own: what the contract fixes
 * whatever the map holds, the errno and count rules, and every returned
 * element against the side's model (run_walk.c has the rules in brief).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "walk_call.h"

static const char *const side_name[2] = { "native", "emu" };

/* In the checks below: a failure of side s, then return false. */
#define FAIL(rule, ...) FZ_SIDE_FAIL(r, s, rule, __VA_ARGS__)

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

/* Checks of one call on its own; true if it returned elements (a step). */
bool fz_walk_check_call(struct fz_run *r, struct fz_walk *w, int s, const struct fz_op *op,
			struct fz_ans *a, struct fz_step *st)
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
		FAIL("enospc", "W%u: ENOSPC count=%u (the emulation never answers ENOSPC)", w->id,
		     n);
	}
	if (err == EFAULT) {
		if (!fk && !fv && !fo)
			FAIL("efault", "W%u: EFAULT count=%u although every buffer is valid", w->id,
			     n);
		if (n && (hash || !fo))
			FAIL("efault", "W%u: EFAULT with count=%u (the kernel reports 0)", w->id,
			     n);
		if (hash && !fo && !untouched(res->buf[RQ_OUT_BATCH], res->len[RQ_OUT_BATCH]))
			FAIL("efault", "W%u: EFAULT but out_batch was written", w->id);
		if (n)
			goto elements; /* generic: they were written, then the token faulted */
		if (w->del)
			drain_efault(r, w, s);
		return false;
	}
	if (err && err != ENOENT)
		FAIL("errno", "W%u: unexpected %s", w->id, fz_res_str(res, got, sizeof(got)));
	if (n > c->count || (size_t)n * ks > res->len[RQ_KEYS] ||
	    (size_t)n * vs > res->len[RQ_VALUES])
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
elements:
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
			FAIL("value", "W%u: element %u, key #%u: wrong value", w->id, i,
			     (uint32_t)k);
		if (w->del)
			fz_run_set(r, s, (uint32_t)k, NULL, w);
	}
	if (err == EFAULT && w->del)
		drain_efault(r, w, s); /* nothing but those may be gone */
	else if (s == FZ_EMU && !hash && r->u.fam == FZ_FAM_LPM && n && !fo)
		r->emu_tok[st->keys[n - 1]] = 1; /* the token handed out */
	return true;
}

/* A re-issued token on a map unchanged since: the same answer (rule 2). */
bool fz_walk_same_chunk(struct fz_run *r, const struct fz_walk *w, int s, const struct fz_op *op,
			const struct fz_step *orig, const struct fz_step *st)
{
	char a[160], b[160];

	if (w->del || st->err == EFAULT || st->count != orig->count ||
	    st->version != orig->version)
		return true;
	if (st->err == orig->err && st->n == orig->n &&
	    !memcmp(st->keys, orig->keys, st->n * sizeof(uint32_t)))
		return true;
	FAIL("reissue-same-chunk", "W%u: the token of call -%u, re-issued on an unchanged map, "
	     "returned %s n=%u %s; the first time %s n=%u %s", w->id, op->back + 1,
	     fz_err_name(st->err), st->n, fz_keys_str(st->keys, st->n, a, sizeof(a)),
	     fz_err_name(orig->err), orig->n, fz_keys_str(orig->keys, orig->n, b, sizeof(b)));
}

