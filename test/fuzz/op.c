/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "op.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[FZ_NOPK] = {
	"step", "reissue", "fork", "abandon", "update_batch", "delete_batch",
	"update_elem", "delete_elem", "check",
};

static const char *const fault_names[] = { "", "keys", "values", "out_batch", "in_batch", "attr" };

const char *fz_op_name(enum fz_opk k)
{
	return k < FZ_NOPK ? op_names[k] : "?";
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

void fz_op_keys(struct fz_op *op, uint32_t nkeys)
{
	op->nkeys = nkeys;
	op->keys = xcalloc(nkeys, sizeof(uint32_t));
	op->vals = xcalloc(nkeys, sizeof(uint32_t));
}

void fz_op_free(struct fz_op *op)
{
	free(op->keys);
	free(op->vals);
	op->keys = op->vals = NULL;
	op->nkeys = 0;
}

void fz_op_copy(struct fz_op *dst, const struct fz_op *src)
{
	*dst = *src;
	dst->keys = dst->vals = NULL;
	if (src->keys) {
		fz_op_keys(dst, src->nkeys);
		memcpy(dst->keys, src->keys, src->nkeys * sizeof(uint32_t));
		memcpy(dst->vals, src->vals, src->nkeys * sizeof(uint32_t));
	}
}

static size_t add(char *buf, size_t len, size_t o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t add(char *buf, size_t len, size_t o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o >= len)
		return o;
	va_start(ap, fmt);
	n = vsnprintf(buf + o, len - o, fmt, ap);
	va_end(ap);
	return n > 0 ? o + (size_t)n : o;
}

static size_t call_parts(const struct fz_op *op, char *buf, size_t len, size_t o)
{
	if (op->kind == FZ_OP_REISSUE && op->same_count)
		o = add(buf, len, o, " count=same");
	else if (op->kind == FZ_OP_UPDATE_BATCH || op->kind == FZ_OP_DELETE_BATCH)
		o = add(buf, len, o, " count=%u", op->nkeys);
	else
		o = add(buf, len, o, " count=%u", op->count);
	if (op->elem_flags)
		o = add(buf, len, o, " elem_flags=0x%" PRIx64, op->elem_flags);
	if (op->flags && op->kind != FZ_OP_UPDATE_ELEM)
		o = add(buf, len, o, " flags=0x%" PRIx64, op->flags);
	if (op->fault == FZ_F_KEYS || op->fault == FZ_F_VALUES)
		o = add(buf, len, o, " fault=%s@%u+%u", fault_names[op->fault], op->fault_at,
			op->partial);
	else if (op->fault == FZ_F_OUT)
		o = add(buf, len, o, " fault=out_batch@%u", op->fault_at);
	else if (op->fault)
		o = add(buf, len, o, " fault=%s", fault_names[op->fault]);
	return o;
}

static size_t key_list(const struct fz_op *op, bool vals, char *buf, size_t len, size_t o)
{
	o = add(buf, len, o, " [");
	for (uint32_t i = 0; i < op->nkeys && o < len; i++) {
		if (i == 24) {
			o = add(buf, len, o, " ... %u more", op->nkeys - i);
			break;
		}
		o = add(buf, len, o, "%s#%u", i ? " " : "", op->keys[i]);
		if (vals)
			o = add(buf, len, o, "=v%u", op->vals[i]);
	}
	return add(buf, len, o, "]");
}

const char *fz_op_str(const struct fz_op *op, char *buf, size_t len)
{
	static const char *const starts[] = { "NULL", "zero-u32", "zero-u64", "key" };
	size_t o = 0;

	switch (op->kind) {
	case FZ_OP_STEP:
		o = add(buf, len, o, "W%u %s", op->walk, op->fresh ? "new" : "step");
		if (op->fresh) {
			o = add(buf, len, o, " %s in_batch=%s",
				op->del ? "LOOKUP_AND_DELETE" : "LOOKUP", starts[op->start]);
			if (op->start == FZ_START_KEY)
				o = add(buf, len, o, "#%u", op->start_key);
		}
		call_parts(op, buf, len, o);
		break;
	case FZ_OP_REISSUE:
		o = add(buf, len, o, "W%u reissue the token of call -%u, then %s", op->walk,
			op->back + 1, op->adopt ? "go on from this call" : "keep the walk's token");
		call_parts(op, buf, len, o);
		break;
	case FZ_OP_FORK:
		add(buf, len, o, "W%u = copy of W%u's token (a second reader)", op->walk2,
		    op->walk);
		break;
	case FZ_OP_ABANDON:
		add(buf, len, o, "W%u abandoned", op->walk);
		break;
	case FZ_OP_UPDATE_BATCH:
	case FZ_OP_DELETE_BATCH:
		o = add(buf, len, o, "%s", op_names[op->kind]);
		o = call_parts(op, buf, len, o);
		if (op->start)
			o = add(buf, len, o, " in_batch=out_batch=unmapped");
		key_list(op, op->kind == FZ_OP_UPDATE_BATCH, buf, len, o);
		break;
	case FZ_OP_UPDATE_ELEM:
		o = add(buf, len, o, "update_elem flags=%" PRIu64, op->flags);
		key_list(op, true, buf, len, o);
		break;
	case FZ_OP_DELETE_ELEM:
		o = add(buf, len, o, "delete_elem");
		key_list(op, false, buf, len, o);
		break;
	default:
		add(buf, len, o, "%s", fz_op_name(op->kind));
		break;
	}
	return buf;
}

void fz_seq_push(struct fz_seq *s, const struct fz_op *op)
{
	if (s->nops == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->ops = realloc(s->ops, s->cap * sizeof(*s->ops));
		if (!s->ops)
			abort();
	}
	fz_op_copy(&s->ops[s->nops++], op);
}

void fz_seq_free(struct fz_seq *s)
{
	for (uint32_t i = 0; i < s->nops; i++)
		fz_op_free(&s->ops[i]);
	free(s->ops);
	free(s->fill_keys);
	free(s->fill_vals);
	memset(s, 0, sizeof(*s));
}

void fz_seq_copy(struct fz_seq *dst, const struct fz_seq *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->seed = src->seed;
	dst->kind = src->kind;
	dst->nfill = src->nfill;
	dst->fill_keys = xcalloc(src->nfill, sizeof(uint32_t));
	dst->fill_vals = xcalloc(src->nfill, sizeof(uint32_t));
	memcpy(dst->fill_keys, src->fill_keys, src->nfill * sizeof(uint32_t));
	memcpy(dst->fill_vals, src->fill_vals, src->nfill * sizeof(uint32_t));
	for (uint32_t i = 0; i < src->nops; i++)
		fz_seq_push(dst, &src->ops[i]);
}
