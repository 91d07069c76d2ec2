/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Writes: UPDATE_BATCH and DELETE_BATCH through both sides, compared exactly
 * (ret, errno, count, resulting contents); and single-element updates and
 * deletes, made directly on both maps, between the batch calls.
 *
 * Each side's answer is also predicted from its model (semantics.md §3.3,
 * §3.4: validation, count 0, then element by element until the first
 * failure). While a drain has made the two maps differ, that prediction is
 * the only reference; otherwise the sides must also agree with each other.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "run.h"

static const char *const side_name[2] = { "native", "emu" };

struct pred {
	struct fz_res res;
	uint32_t applied;	/* elements 0..applied-1 took effect */
};

/* Why element k (value seed vs) cannot be written, or 0. */
static int update_error(const struct fz_run *r, const uint8_t *present, uint32_t k, uint32_t vs,
			uint32_t count)
{
	const struct fz_univ *u = &r->u;

	if (u->fam == FZ_FAM_ARRAY)
		return k >= u->n ? E2BIG : 0;
	if (u->fam == FZ_FAM_LPM) {
		if (k >= u->n)
			return EINVAL; /* prefixlen past the maximum */
		return !present[k] && count >= u->ms.max_entries ? ENOSPC : 0;
	}
	if (u->kind == FZ_HOM && vs % (FZ_POOL + 2) >= FZ_POOL)
		return vs % (FZ_POOL + 2) == FZ_POOL ? r->fd0_err : EBADF;
	/* LRU maps are never near full (univ.c); the rest fail for new keys */
	return !present[k] && count >= u->ms.max_entries ? E2BIG : 0;
}

static void predict(const struct fz_run *r, int s, const struct fz_op *op, const struct fz_call *c,
		    struct pred *p)
{
	const struct fz_model *m = &r->m[s];
	uint32_t ks = r->u.ms.key_size, vs = r->u.stride, count = m->count;
	uint8_t *present = malloc(m->n ? m->n : 1);

	memset(p, 0, sizeof(*p));
	p->res.ret = -1;
	p->res.count = c->count; /* untouched */
	if (!present)
		abort();
	memcpy(present, m->present, m->n);
	if (c->cmd == FZ_CMD_DELETE && r->u.fam == FZ_FAM_ARRAY)
		p->res.err = FZ_ENOTSUPP;
	else if (c->elem_flags)
		p->res.err = EINVAL;
	else if (!c->count)
		p->res.ret = 0;
	else if (c->attr_rdonly)
		p->res.err = EFAULT;
	else
		p->res.ret = 0;
	for (uint32_t i = 0; !p->res.ret && i < c->count; i++) {
		uint32_t k = op->keys[i];
		int e = 0;

		if ((size_t)(i + 1) * ks > c->buf[RQ_KEYS].len)
			e = EFAULT;
		else if (c->cmd == FZ_CMD_UPDATE && (size_t)(i + 1) * vs > c->buf[RQ_VALUES].len)
			e = EFAULT;
		else if (c->cmd == FZ_CMD_UPDATE)
			e = update_error(r, present, k, op->vals[i], count);
		else if (c->cmd == FZ_CMD_DELETE && k >= r->u.n)
			e = EINVAL; /* LPM: prefixlen past the maximum */
		else if (c->cmd == FZ_CMD_DELETE && !present[k])
			e = ENOENT;
		if (e) {
			p->res.ret = -1;
			p->res.err = e;
			p->res.count = i;
			break;
		}
		if (c->cmd == FZ_CMD_UPDATE && !present[k])
			count++, present[k] = 1;
		else if (c->cmd == FZ_CMD_DELETE)
			count--, present[k] = 0;
		p->applied = i + 1;
		p->res.count = i + 1;
	}
	free(present);
}

static bool same_res(const struct fz_res *a, const struct fz_res *b)
{
	return a->ret == b->ret && (a->ret == 0 || a->err == b->err) && a->count == b->count;
}

static void apply(struct fz_run *r, int s, const struct fz_op *op, uint32_t cmd, uint32_t n)
{
	uint8_t val[FZ_STRIDE_MAX];

	for (uint32_t i = 0; i < n; i++) {
		if (cmd == FZ_CMD_DELETE)
			fz_run_set(r, s, op->keys[i], NULL, NULL);
		else if (fz_value_out(&r->u, op->vals[i], val))
			fz_run_set(r, s, op->keys[i], val, NULL);
	}
}

static void batch(struct fz_run *r, const struct fz_op *op, uint32_t cmd)
{
	uint32_t ks = r->u.ms.key_size, vs = r->u.stride, n = op->nkeys;
	uint8_t *keys = calloc(n ? n : 1, ks), *vals = calloc(n ? n : 1, vs);
	bool synced = fz_model_diff(&r->m[FZ_NAT], &r->m[FZ_EMU]) < 0;
	struct fz_res res[2];
	struct pred p[2];
	struct fz_call c, cs[2];
	char a[64], b[64], w[64];

	if (!keys || !vals)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		memcpy(keys + (size_t)i * ks, fz_key(&r->u, op->keys[i]), ks);
		fz_value_in(&r->u, op->vals[i], vals + (size_t)i * vs);
	}
	memset(&c, 0, sizeof(c));
	c.cmd = cmd;
	c.count = n;
	c.elem_flags = op->elem_flags;
	c.flags = op->flags;
	c.attr_rdonly = op->fault == FZ_F_ATTR;
	/* in_batch and out_batch are ignored by writes: garbage must do */
	if (op->start) {
		c.buf[RQ_IN_BATCH].kind = RQ_UNMAPPED;
		c.buf[RQ_OUT_BATCH].kind = RQ_UNMAPPED;
	}
	c.buf[RQ_KEYS] = (struct fz_buf){ RQ_RDONLY, n * ks, keys };
	if (op->fault == FZ_F_KEYS && op->fault_at < n)
		c.buf[RQ_KEYS].len = op->fault_at * ks + op->partial % ks;
	if (cmd == FZ_CMD_UPDATE) {
		c.buf[RQ_VALUES] = (struct fz_buf){ RQ_RDONLY, n * vs, vals };
		if (op->fault == FZ_F_VALUES && op->fault_at < n)
			c.buf[RQ_VALUES].len = op->fault_at * vs + op->partial % vs;
	}
	for (int s = 0; s < 2; s++) {
		predict(r, s, op, &c, &p[s]);
		cs[s] = c;
		cs[s].fd = r->fd[s];
	}
	if (fz_run_calls(r, (const struct fz_call *[2]){ &cs[0], &cs[1] }, res))
		goto out;
	if (r->trace)
		fprintf(r->trace, "      native: %s\n      emu:    %s\n",
			fz_res_str(&res[0], a, sizeof(a)), fz_res_str(&res[1], b, sizeof(b)));
	if (synced && !same_res(&res[FZ_NAT], &res[FZ_EMU]))
		fz_failf(&r->fail, r->op, "emu:write-result", "%s: native %s, emulated %s "
			 "(same contents before the call)", cmd == FZ_CMD_UPDATE ? "UPDATE_BATCH" :
			 "DELETE_BATCH", fz_res_str(&res[0], a, sizeof(a)),
			 fz_res_str(&res[1], b, sizeof(b)));
	for (int s = 0; s < 2 && !r->fail.failed; s++) {
		char check[48];

		if (same_res(&res[s], &p[s].res))
			continue;
		snprintf(check, sizeof(check), "%s:write-result", side_name[s]);
		fz_failf(&r->fail, r->op, check, "%s on the %s side: %s; from its contents the "
			 "contract says %s", cmd == FZ_CMD_UPDATE ? "UPDATE_BATCH" : "DELETE_BATCH",
			 side_name[s], fz_res_str(&res[s], a, sizeof(a)),
			 fz_res_str(&p[s].res, w, sizeof(w)));
	}
	for (int s = 0; s < 2 && !r->fail.failed; s++)
		apply(r, s, op, cmd, p[s].applied);
out:
	free(keys);
	free(vals);
}

/* Single-element commands straight to the kernel on both maps: not under
 * test, they change the maps between batch calls. */
static void elems(struct fz_run *r, const struct fz_op *op)
{
	uint8_t in[FZ_STRIDE_MAX], out[FZ_STRIDE_MAX];

	for (uint32_t i = 0; i < op->nkeys; i++) {
		const void *key = fz_key(&r->u, op->keys[i]);
		bool ok_out = fz_value_out(&r->u, op->vals[i], out);

		fz_value_in(&r->u, op->vals[i], in);
		for (int s = 0; s < 2; s++) {
			if (op->keys[i] >= r->u.n)
				continue;
			if (op->kind == FZ_OP_DELETE_ELEM) {
				if (!bpf_map_delete_elem(r->fd[s], key))
					fz_run_set(r, s, op->keys[i], NULL, NULL);
			} else if (!bpf_map_update_elem(r->fd[s], key, in, op->flags) && ok_out) {
				fz_run_set(r, s, op->keys[i], out, NULL);
			}
		}
	}
}

void fz_run_write_op(struct fz_run *r, const struct fz_op *op)
{
	switch (op->kind) {
	case FZ_OP_UPDATE_BATCH:
		batch(r, op, FZ_CMD_UPDATE);
		break;
	case FZ_OP_DELETE_BATCH:
		batch(r, op, FZ_CMD_DELETE);
		break;
	case FZ_OP_UPDATE_ELEM:
	case FZ_OP_DELETE_ELEM:
		elems(r, op);
		break;
	default:
		break;
	}
}
