/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

static const char *const skip_names[] = {
	"reissue", "fork", "fault", "drain", "flags", "write", "elem", "abandon", "zero",
	"keystart", "partial", "relink", "drainfault",
};

unsigned fz_skip_parse(const char *s)
{
	for (unsigned i = 0; i < sizeof(skip_names) / sizeof(skip_names[0]); i++)
		if (!strcmp(s, skip_names[i]))
			return 1u << i;
	return 0;
}

const char *fz_skip_names(void)
{
	return "reissue fork fault drain flags write elem abandon zero keystart partial relink "
	       "drainfault";
}

static bool on(const struct fz_gen *g, unsigned what)
{
	return !(g->skip & what);
}

/* --skip relink: no update of a present key in the hash types whose update
 * re-links the element at the head of its bucket (the walk's look-back,
 * shim/core/emu_hash_walk.c, is what finds such keys). Per-CPU hashes
 * update in place. */
static bool relink_off(const struct fz_gen *g, const struct fz_run *r)
{
	return !on(g, FZ_SKIP_RELINK) && r->u.fam == FZ_FAM_HASH &&
	       r->u.kind != FZ_PERCPU_HASH && r->u.kind != FZ_LRU_PERCPU_HASH;
}

/* Does @op step a lookup-and-delete walk? */
static bool drains(const struct fz_run *r, const struct fz_op *op)
{
	if (op->del)
		return true;
	for (uint32_t i = 0; i < r->nwalks; i++)
		if (r->walks[i]->id == op->walk)
			return r->walks[i]->del;
	return false;
}

void fz_gen_seq(struct fz_gen *g, enum fz_kind kind, struct fz_seq *seq)
{
	struct fz_univ u;
	struct fz_rng ur;
	uint32_t pct;

	memset(seq, 0, sizeof(*seq));
	seq->kind = kind;
	seq->seed = fz_next(&g->rng);
	ur.s = seq->seed;
	if (fz_univ_new(&u, kind, NULL, &ur)) {
		fz_univ_free(&u);
		return; /* fz_run_open reports it */
	}
	pct = fz_pct(&g->rng, 10) ? 0 : fz_pct(&g->rng, 20) ? 100 : fz_range(&g->rng, 1, 99);
	seq->fill_keys = calloc(u.n ? u.n : 1, sizeof(uint32_t));
	seq->fill_vals = calloc(u.n ? u.n : 1, sizeof(uint32_t));
	if (!seq->fill_keys || !seq->fill_vals)
		abort();
	for (uint32_t i = 0; i < u.n; i++) {
		if (!fz_pct(&g->rng, pct))
			continue;
		seq->fill_keys[seq->nfill] = i;
		seq->fill_vals[seq->nfill++] = kind == FZ_HOM ? fz_below(&g->rng, FZ_POOL) :
					       (uint32_t)fz_next(&g->rng);
	}
	fz_univ_free(&u);
	g->left = fz_range(&g->rng, 20, 300);
	g->next_walk = 1;
}

/* Mostly small counts (many calls per walk), some up to 300, and often the
 * same few values, so that walks meet at the same positions. */
static uint32_t pick_count(struct fz_gen *g)
{
	static const uint32_t common[] = { 1, 2, 3, 4, 8, 16, 32, 64, 100, 300 };
	struct fz_rng *r = &g->rng;

	if (on(g, FZ_SKIP_ZERO) && fz_pct(r, 3))
		return 0;
	if (fz_pct(r, 30))
		return common[fz_below(r, 10)];
	return fz_pct(r, 45) ? fz_range(r, 1, 8) : fz_pct(r, 60) ? fz_range(r, 9, 64) :
								   fz_range(r, 65, 300);
}

static uint64_t bad_elem_flags(struct fz_rng *r)
{
	static const uint64_t v[] = { BPF_F_LOCK, BPF_NOEXIST, BPF_EXIST, 8, 16, 1ULL << 32 };

	return fz_pct(r, 85) ? v[fz_below(r, 6)] : fz_next(r) | 1;
}

/* count, flags and faults of a lookup call (step or re-issue) */
static void call_parts(struct fz_gen *g, const struct fz_run *r, struct fz_op *op)
{
	struct fz_rng *rng = &g->rng;

	op->count = pick_count(g);
	if (on(g, FZ_SKIP_FLAGS) && fz_pct(rng, 3)) {
		if (fz_pct(rng, 50))
			op->elem_flags = bad_elem_flags(rng);
		else
			op->flags = fz_pct(rng, 70) ? 1 : fz_next(rng) | 2;
	} else if (r->u.fam != FZ_FAM_HASH && fz_pct(rng, 5)) {
		op->flags = fz_next(rng) | 1; /* ignored by the generic lookup */
	}
	if (on(g, FZ_SKIP_FAULT) && fz_pct(rng, 8)) {
		uint32_t k = fz_below(rng, 100);

		op->fault = k < 30 ? FZ_F_KEYS : k < 60 ? FZ_F_VALUES : k < 80 ? FZ_F_OUT :
			    k < 90 || g->api ? FZ_F_IN : FZ_F_ATTR;
		op->fault_at = fz_pct(rng, 20) ? 0 : fz_below(rng, op->count);
		op->partial = on(g, FZ_SKIP_PARTIAL) ? fz_below(rng, 64) : 0;
	}
}

static const struct fz_walk *pick_walk(struct fz_gen *g, const struct fz_run *r)
{
	return r->nwalks ? r->walks[fz_below(&g->rng, r->nwalks)] : NULL;
}

/* A present key of the native map (n if none). */
static uint32_t present_key(struct fz_gen *g, const struct fz_run *r)
{
	uint32_t c = r->m[FZ_NAT].count, pick;

	if (!c)
		return fz_below(&g->rng, r->u.n);
	pick = fz_below(&g->rng, c);
	for (uint32_t i = 0; i < r->u.n; i++)
		if (r->m[FZ_NAT].present[i] && !pick--)
			return i;
	return 0;
}

static uint32_t value_seed(struct fz_gen *g, const struct fz_run *r, uint32_t bad_pct)
{
	if (r->u.kind != FZ_HOM)
		return (uint32_t)fz_next(&g->rng);
	if (fz_pct(&g->rng, bad_pct))
		return FZ_POOL + fz_below(&g->rng, 2);
	return fz_below(&g->rng, FZ_POOL);
}

static void write_keys(struct fz_gen *g, const struct fz_run *r, struct fz_op *op, uint32_t n,
		       bool del)
{
	struct fz_rng *rng = &g->rng;

	fz_op_keys(op, n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k;

		if (i && fz_pct(rng, 4))
			k = op->keys[fz_below(rng, i)];
		else if (r->u.nbad && fz_pct(rng, 2))
			k = r->u.n + fz_below(rng, r->u.nbad);
		else if (del && fz_pct(rng, 85))
			k = present_key(g, r);
		else
			k = fz_below(rng, r->u.n);
		op->keys[i] = k;
		op->vals[i] = value_seed(g, r, 5);
	}
}

static void gen_write(struct fz_gen *g, const struct fz_run *r, struct fz_op *op, bool del)
{
	struct fz_rng *rng = &g->rng;
	uint32_t n = pick_count(g);

	if (relink_off(g, r))
		del = true; /* UPDATE_BATCH has no BPF_NOEXIST */
	op->kind = del ? FZ_OP_DELETE_BATCH : FZ_OP_UPDATE_BATCH;
	if (del && n > 16 && fz_pct(rng, 70))
		n = fz_range(rng, 1, 16); /* deletes stop at the first missing key */
	write_keys(g, r, op, n, del);
	if (on(g, FZ_SKIP_FLAGS) && fz_pct(rng, 3))
		op->elem_flags = bad_elem_flags(rng);
	if (fz_pct(rng, 10))
		op->flags = fz_next(rng); /* ignored by writes */
	op->start = fz_pct(rng, 10); /* garbage in_batch/out_batch, ignored */
	if (on(g, FZ_SKIP_FAULT) && n && fz_pct(rng, 6)) {
		uint32_t k = fz_below(rng, 10);

		op->fault = k < 5 ? FZ_F_KEYS : k < 9 || g->api ? FZ_F_VALUES : FZ_F_ATTR;
		op->fault_at = fz_below(rng, n);
		op->partial = on(g, FZ_SKIP_PARTIAL) ? fz_below(rng, 64) : 0;
	}
}

static void gen_elem(struct fz_gen *g, const struct fz_run *r, struct fz_op *op, bool del)
{
	struct fz_rng *rng = &g->rng;
	uint32_t n = fz_range(rng, 1, 4);

	op->kind = del ? FZ_OP_DELETE_ELEM : FZ_OP_UPDATE_ELEM;
	fz_op_keys(op, n);
	for (uint32_t i = 0; i < n; i++) {
		op->keys[i] = del && fz_pct(rng, 80) ? present_key(g, r) : fz_below(rng, r->u.n);
		op->vals[i] = value_seed(g, r, 3);
	}
	if (!del && fz_pct(rng, 20))
		op->flags = fz_pct(rng, 50) ? BPF_NOEXIST : BPF_EXIST;
	if (!del && relink_off(g, r))
		op->flags = BPF_NOEXIST; /* present keys stay where they are */
}

static void gen_new_walk(struct fz_gen *g, const struct fz_run *r, struct fz_op *op)
{
	struct fz_rng *rng = &g->rng;
	bool hash = r->u.fam == FZ_FAM_HASH;

	op->kind = FZ_OP_STEP;
	op->fresh = true;
	op->walk = g->next_walk++;
	op->del = on(g, FZ_SKIP_DRAIN) && fz_pct(rng, hash ? 35 : r->u.fam == FZ_FAM_LPM ? 15 : 2);
	if (hash)
		op->start = fz_pct(rng, 60) ? FZ_START_NULL : fz_pct(rng, 60) ? FZ_START_ZERO4 :
										FZ_START_ZERO8;
	else if (on(g, FZ_SKIP_KEYSTART) && fz_pct(rng, 15))
		op->start = FZ_START_KEY, op->start_key = fz_below(rng, r->u.n + r->u.nbad);
	call_parts(g, r, op);
}

bool fz_gen_op(struct fz_gen *g, const struct fz_run *r, struct fz_op *op)
{
	struct fz_rng *rng = &g->rng;
	bool walks = r->u.fam != FZ_FAM_LPM || g->lpm_walks;
	bool arr = r->u.fam == FZ_FAM_ARRAY;

	memset(op, 0, sizeof(*op));
	if (g->left == 0)
		return false; /* seq.c finishes the open walks */
	g->left--;
	/* A caller that got EFAULT fixes its buffers and calls again with the
	 * same token: that must return what the failed call would have. */
	if (g->retry_walk && fz_run_walk(r, g->retry_walk) && fz_pct(rng, 70)) {
		op->kind = FZ_OP_STEP;
		op->walk = g->retry_walk;
		op->count = g->retry_count;
		g->retry_walk = 0;
		return true;
	}
	g->retry_walk = 0;
	for (;;) {
		uint32_t k = fz_below(rng, 100);
		const struct fz_walk *w = pick_walk(g, r);

		if (k < 36 && w && walks) {
			op->kind = FZ_OP_STEP;
			op->walk = w->id;
			call_parts(g, r, op);
		} else if (k < 45 && walks && r->nwalks < FZ_WALKS_MAX) {
			gen_new_walk(g, r, op);
		} else if (k < 54 && w && on(g, FZ_SKIP_REISSUE)) {
			uint32_t most = w->s[0].nsteps > w->s[1].nsteps ? w->s[0].nsteps :
									   w->s[1].nsteps;

			op->kind = FZ_OP_REISSUE;
			op->walk = w->id;
			call_parts(g, r, op);
			/* mostly a retry of the last call; sometimes further back */
			op->back = fz_pct(rng, 60) ? 0 : fz_pct(rng, 50) ? 1 : fz_below(rng, most);
			op->adopt = fz_pct(rng, 60);
			op->same_count = fz_pct(rng, 80);
		} else if (k < 57 && w && on(g, FZ_SKIP_FORK) && r->nwalks < FZ_WALKS_MAX) {
			op->kind = FZ_OP_FORK;
			op->walk = w->id;
			op->walk2 = g->next_walk++;
		} else if (k < 60 && w && on(g, FZ_SKIP_ABANDON)) {
			op->kind = FZ_OP_ABANDON;
			op->walk = w->id;
		} else if (k < 70 && on(g, FZ_SKIP_WRITE)) {
			gen_write(g, r, op, false);
		} else if (k < 78 && on(g, FZ_SKIP_WRITE) && (!arr || fz_pct(rng, 5))) {
			gen_write(g, r, op, true);
		} else if (k < 88 && on(g, FZ_SKIP_ELEM)) {
			gen_elem(g, r, op, false);
		} else if (k < 96 && on(g, FZ_SKIP_ELEM) && !arr) {
			gen_elem(g, r, op, true);
		} else if (k >= 96) {
			op->kind = FZ_OP_CHECK;
		} else {
			continue;
		}
		if ((op->kind == FZ_OP_STEP || op->kind == FZ_OP_REISSUE) &&
		    !on(g, FZ_SKIP_DRAINFAULT) && drains(r, op))
			op->fault = FZ_F_NONE;
		if ((op->kind == FZ_OP_STEP || op->kind == FZ_OP_REISSUE) && op->fault) {
			g->retry_walk = op->walk;
			g->retry_count = op->count;
		}
		return true;
	}
}
