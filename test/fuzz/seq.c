/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "seq.h"

#include <stdlib.h>
#include <string.h>

#include "run.h"

static void run_init(struct fz_ctx *x, struct fz_run *r, FILE *trace)
{
	memset(r, 0, sizeof(*r));
	r->cfg = x->cfg;
	r->link[FZ_NAT] = x->native;
	r->link[FZ_EMU] = x->peer;
	r->pool = x->pool;
	r->trace = trace;
}

/* Only generated runs count towards the budget and the figures: replays
 * (shrinking, reports) are extra. */
static void run_done(struct fz_ctx *x, struct fz_run *r, struct fz_fail *fail, bool count)
{
	for (int k = 0; k < FZ_NOPK && count; k++) {
		x->by_kind[k] += r->by_kind[k];
		x->ops += r->by_kind[k];
	}
	if (count)
		x->calls += r->calls;
	*fail = r->fail;
	fz_run_close(r);
}

/*
 * The end of every run, generated or replayed: each open walk is stepped to
 * its end with the largest count (a walk's promises are judged when it
 * ends, so a shortened sequence still shows a key it lost), then both maps
 * are read back.
 */
static void finish(struct fz_run *r, uint32_t nops, FILE *trace)
{
	char buf[256];

	for (uint32_t i = 0; r->nwalks && !r->fail.failed && i < 64 * FZ_WALKS_MAX; i++) {
		const struct fz_walk *w = r->walks[0];
		struct fz_op op = { .kind = FZ_OP_STEP, .walk = w->id, .count = 300 };

		if (w->del && r->u.fam == FZ_FAM_ARRAY)
			op.kind = FZ_OP_ABANDON; /* 524 for ever */
		r->op = nops + i;
		if (trace)
			fprintf(trace, "    end: %s\n", fz_op_str(&op, buf, sizeof(buf)));
		fz_run_op(r, &op);
	}
	r->op = nops;
	if (!r->fail.failed)
		fz_run_final(r);
}

void fz_seq_run(struct fz_ctx *x, uint64_t seed, enum fz_kind kind, struct fz_seq *seq,
		struct fz_fail *fail)
{
	struct fz_gen g = {
		.rng = { seed },
		.skip = x->skip,
		.api = x->cfg->api,
		.lpm_walks = x->cfg->lpm_walks,
	};
	struct fz_run r;
	struct fz_op op;

	fz_gen_seq(&g, kind, seq);
	run_init(x, &r, NULL);
	if (!fz_run_open(&r, seq)) {
		while (!r.fail.failed && fz_gen_op(&g, &r, &op)) {
			r.op = seq->nops;
			fz_seq_push(seq, &op);
			fz_run_op(&r, &op);
			fz_op_free(&op);
		}
		finish(&r, seq->nops, NULL);
	}
	run_done(x, &r, fail, true);
}

void fz_seq_replay(struct fz_ctx *x, const struct fz_seq *seq, struct fz_fail *fail, FILE *trace)
{
	struct fz_run r;
	char buf[1024];

	run_init(x, &r, trace);
	if (!fz_run_open(&r, seq)) {
		for (uint32_t i = 0; i < seq->nops && !r.fail.failed; i++) {
			r.op = i;
			if (trace)
				fprintf(trace, "    op %u: %s\n", i, fz_op_str(&seq->ops[i], buf,
									 sizeof(buf)));
			fz_run_op(&r, &seq->ops[i]);
		}
		finish(&r, seq->nops, trace);
	}
	run_done(x, &r, fail, false);
}

static bool still_fails(struct fz_ctx *x, const struct fz_seq *s, const char *check)
{
	struct fz_fail f;

	fz_seq_replay(x, s, &f, NULL);
	return f.failed && !strcmp(f.check, check);
}

/* The sequence without ops [from, from + n) (or fill elements, if fill). */
static void without(const struct fz_seq *src, struct fz_seq *dst, bool fill, uint32_t from,
		    uint32_t n)
{
	struct fz_seq t = *src;

	if (fill) {
		t.nops = src->nops;
		fz_seq_copy(dst, &t);
		memmove(dst->fill_keys + from, dst->fill_keys + from + n,
			(dst->nfill - from - n) * sizeof(uint32_t));
		memmove(dst->fill_vals + from, dst->fill_vals + from + n,
			(dst->nfill - from - n) * sizeof(uint32_t));
		dst->nfill -= n;
		return;
	}
	t.nops = 0;
	fz_seq_copy(dst, &t);
	for (uint32_t i = 0; i < src->nops; i++)
		if (i < from || i >= from + n)
			fz_seq_push(dst, &src->ops[i]);
}

/* Delta debugging, one granularity at a time, keeping every removal that
 * still fails the same way. */
static void shrink_list(struct fz_ctx *x, struct fz_seq *seq, bool fill, const char *check,
			unsigned *runs, unsigned max_runs)
{
	uint32_t len = fill ? seq->nfill : seq->nops;

	for (uint32_t chunk = len / 2 ? len / 2 : 1; chunk >= 1; chunk /= 2) {
		for (uint32_t i = 0; i < (fill ? seq->nfill : seq->nops) && *runs < max_runs;) {
			uint32_t cur = fill ? seq->nfill : seq->nops;
			uint32_t n = i + chunk <= cur ? chunk : cur - i;
			struct fz_seq t;

			without(seq, &t, fill, i, n);
			++*runs;
			if (still_fails(x, &t, check)) {
				fz_seq_free(seq);
				*seq = t;
			} else {
				fz_seq_free(&t);
				i += n;
			}
		}
		if (chunk == 1)
			break;
	}
}

/* One simplification of an op (variant v); false if it does not apply. */
static bool simpler(struct fz_op *op, int v)
{
	bool call = op->kind == FZ_OP_STEP || op->kind == FZ_OP_REISSUE;
	uint32_t half = op->nkeys / 2;

	switch (v) {
	case 0:
		if (!op->fault)
			return false;
		op->fault = FZ_F_NONE;
		return true;
	case 1:
		if (!op->elem_flags && (!op->flags || op->kind == FZ_OP_UPDATE_ELEM))
			return false;
		op->elem_flags = 0;
		if (op->kind != FZ_OP_UPDATE_ELEM)
			op->flags = 0;
		return true;
	case 2:
		if (!call || op->count <= 1)
			return false;
		op->count = 1;
		return true;
	case 3:
		if (call && op->count > 2)
			op->count /= 2;
		else if (op->nkeys > 1)
			op->nkeys -= half; /* the first half of the keys */
		else
			return false;
		return true;
	case 4:
		if (op->nkeys < 2)
			return false;
		memmove(op->keys, op->keys + half, (op->nkeys - half) * sizeof(uint32_t));
		memmove(op->vals, op->vals + half, (op->nkeys - half) * sizeof(uint32_t));
		op->nkeys -= half; /* the second half */
		return true;
	default:
		return false;
	}
}

static void simplify_ops(struct fz_ctx *x, struct fz_seq *seq, const char *check, unsigned *runs,
			 unsigned max_runs)
{
	for (uint32_t i = 0; i < seq->nops; i++) {
		for (int v = 0; v < 5 && *runs < max_runs; v++) {
			struct fz_op saved;

			fz_op_copy(&saved, &seq->ops[i]);
			if (!simpler(&seq->ops[i], v)) {
				fz_op_free(&saved);
				continue;
			}
			++*runs;
			if (still_fails(x, seq, check)) {
				fz_op_free(&saved);
				v--; /* again, while it helps */
			} else {
				fz_op_free(&seq->ops[i]);
				seq->ops[i] = saved;
			}
		}
	}
}

unsigned fz_seq_shrink(struct fz_ctx *x, struct fz_seq *seq, const struct fz_fail *fail,
		       unsigned max_runs)
{
	unsigned runs = 1;
	struct fz_seq t;

	/* Nothing after the failing op matters. */
	if (fail->op + 1 < seq->nops) {
		without(seq, &t, false, fail->op + 1, seq->nops - fail->op - 1);
		if (still_fails(x, &t, fail->check)) {
			fz_seq_free(seq);
			*seq = t;
		} else {
			fz_seq_free(&t);
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		uint32_t before = seq->nops + seq->nfill;

		shrink_list(x, seq, false, fail->check, &runs, max_runs);
		shrink_list(x, seq, true, fail->check, &runs, max_runs);
		simplify_ops(x, seq, fail->check, &runs, max_runs);
		if (seq->nops + seq->nfill == before)
			break;
	}
	return runs;
}

void fz_seq_print(struct fz_ctx *x, const struct fz_seq *seq, FILE *out)
{
	struct fz_link fresh, *old = x->peer;
	struct fz_univ u;
	struct fz_rng ur = { seq->seed };
	struct fz_fail f;
	char ks[64];

	if (!fz_link_start(&fresh, x->cfg, x->pool->fd, FZ_POOL))
		x->peer = &fresh;
	if (!fz_univ_new(&u, seq->kind, x->pool, &ur)) {
		fprintf(out, "    map: %s key_size=%u value_size=%u max_entries=%u map_flags=0x%x; "
			"%u keys in the universe\n", bu_type_name(u.ms.type), u.ms.key_size,
			u.ms.value_size, u.ms.max_entries, u.map_flags, u.n);
		fprintf(out, "    initial contents (%u):", seq->nfill);
		for (uint32_t i = 0; i < seq->nfill && i < 32; i++)
			fprintf(out, " %s", fz_key_str(&u, seq->fill_keys[i], ks, sizeof(ks)));
		fprintf(out, "%s\n", seq->nfill > 32 ? " ..." : "");
	}
	fz_univ_free(&u);
	fz_seq_replay(x, seq, &f, out);
	if (f.failed)
		fprintf(out, "    -> %s at op %u: %s\n    (replayed on a %s peer)\n", f.check, f.op,
			f.msg, x->peer == &fresh ? "fresh" : "reused");
	else
		fprintf(out, "    -> does not fail when replayed alone (depends on the peer's "
			"earlier state)\n");
	if (x->peer == &fresh)
		fz_link_stop(&fresh);
	x->peer = old;
}
