/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

static const char *const side_name[2] = { "native", "emu" };

int fz_run_open(struct fz_run *r, const struct fz_seq *seq)
{
	struct fz_rng rng = { seq->seed };
	uint8_t in[FZ_STRIDE_MAX], out[FZ_STRIDE_MAX];
	int e;

	memset(&r->u, 0, sizeof(r->u));
	memset(r->m, 0, sizeof(r->m));
	memset(r->walks, 0, sizeof(r->walks));
	r->nwalks = 0;
	r->emu_tok = NULL;
	r->fd[0] = r->fd[1] = -1;
	r->op = 0;
	memset(&r->fail, 0, sizeof(r->fail));
	/* fd 0 as an inner map: not a map (EINVAL), or not open (EBADF) */
	r->fd0_err = fcntl(0, F_GETFD) < 0 ? EBADF : EINVAL;

	e = fz_univ_new(&r->u, seq->kind, r->pool, &rng);
	if (!e && !(r->emu_tok = calloc(r->u.n ? r->u.n : 1, 1)))
		e = -ENOMEM;
	for (int s = 0; s < 2 && !e; s++) {
		r->fd[s] = fz_univ_create(&r->u);
		e = r->fd[s] < 0 ? r->fd[s] : fz_model_init(&r->m[s], &r->u);
	}
	if (!e && fz_link_add_fd(r->link[FZ_EMU], r->fd[FZ_EMU]))
		e = -EPIPE;
	if (e) {
		fz_failf(&r->fail, 0, "setup", "cannot set up a %s map: %s",
			 fz_kind_name(seq->kind), strerror(-e));
		return -1;
	}
	for (uint32_t i = 0; i < seq->nfill; i++) {
		uint32_t k = seq->fill_keys[i];

		if (k >= r->u.n)
			continue;
		fz_value_in(&r->u, seq->fill_vals[i], in);
		if (!fz_value_out(&r->u, seq->fill_vals[i], out))
			continue;
		for (int s = 0; s < 2; s++)
			if (!bpf_map_update_elem(r->fd[s], fz_key(&r->u, k), in, BPF_ANY))
				fz_model_put(&r->m[s], k, out);
	}
	if (!fz_run_check_side(r, FZ_NAT, "after the fill") ||
	    !fz_run_check_side(r, FZ_EMU, "after the fill"))
		return -1;
	return 0;
}

void fz_run_close(struct fz_run *r)
{
	for (uint32_t i = 0; i < r->nwalks; i++)
		fz_walk_free(r->walks[i]);
	r->nwalks = 0;
	free(r->emu_tok);
	r->emu_tok = NULL;
	if (r->fd[FZ_EMU] >= 0)
		fz_link_del_fd(r->link[FZ_EMU], r->fd[FZ_EMU]);
	for (int s = 0; s < 2; s++) {
		if (r->fd[s] >= 0)
			close(r->fd[s]);
		r->fd[s] = -1;
		fz_model_free(&r->m[s]);
	}
	fz_univ_free(&r->u);
}

bool fz_run_kernel_rules(const struct fz_run *r, int side, const struct fz_walk *w)
{
	return (side == FZ_NAT || r->cfg->passthrough) && !(w && w->emu_only);
}

struct fz_walk *fz_run_walk(const struct fz_run *r, uint32_t id)
{
	for (uint32_t i = 0; i < r->nwalks; i++)
		if (r->walks[i]->id == id)
			return r->walks[i];
	return NULL;
}

void fz_run_walk_remove(struct fz_run *r, struct fz_walk *w)
{
	for (uint32_t i = 0; i < r->nwalks; i++) {
		if (r->walks[i] != w)
			continue;
		r->walks[i] = r->walks[--r->nwalks];
		fz_walk_free(w);
		return;
	}
}

void fz_run_set(struct fz_run *r, int side, uint32_t i, const void *val, const struct fz_walk *by)
{
	bool was = r->m[side].present[i], now = val != NULL;

	if (val)
		fz_model_put(&r->m[side], i, val);
	else
		fz_model_drop(&r->m[side], i);
	if (was == now)
		return;
	for (uint32_t w = 0; w < r->nwalks; w++) {
		struct fz_wside *ws = &r->walks[w]->s[side];

		if (r->walks[w] == by)
			continue;
		/* The kernel's LPM walk restarts when its token key goes: it
		 * promises nothing across deletions (semantics.md §9). */
		if (!now && fz_run_kernel_rules(r, side, r->walks[w]) && r->u.fam == FZ_FAM_LPM &&
		    ws->started && !ws->done)
			ws->unreliable = true;
		fz_wside_changed(ws, i, now);
	}
}

int fz_run_calls(struct fz_run *r, const struct fz_call *c[2], struct fz_res res[2])
{
	static const char *const cmds[] = { "LOOKUP_BATCH", "LOOKUP_AND_DELETE_BATCH",
					    "UPDATE_BATCH", "DELETE_BATCH" };
	struct fz_link *peer = r->link[FZ_EMU];
	int bad = 0;

	/* The peer works on its call while this process makes the native one. */
	if (c[FZ_EMU])
		bad = fz_link_send(peer, c[FZ_EMU]);
	if (c[FZ_NAT] && fz_link_call(r->link[FZ_NAT], c[FZ_NAT], &res[FZ_NAT]))
		abort(); /* local: cannot fail */
	if (c[FZ_EMU] && !bad)
		bad = fz_link_recv(peer, &res[FZ_EMU]);
	r->calls += (c[FZ_NAT] != NULL) + (c[FZ_EMU] != NULL);
	if (!bad)
		return 0;
	fz_failf(&r->fail, r->op, "emu:peer-died", "%s during a %s call (count %u)", peer->died,
		 cmds[(c[FZ_EMU]->cmd - FZ_CMD_LOOKUP) & 3], c[FZ_EMU]->count);
	return -1;
}

bool fz_run_check_side(struct fz_run *r, int side, const char *when)
{
	struct fz_model now;
	char a[160], b[160], check[48];
	uint32_t ndiff = 0;
	long d;
	int e = fz_model_read(&now, &r->u, r->fd[side]);

	snprintf(check, sizeof(check), "%s:map-vs-model", side_name[side]);
	if (e) {
		fz_failf(&r->fail, r->op, check, "%s map %s cannot be read back: %s",
			 side_name[side], when, strerror(-e));
		fz_model_free(&now);
		return false;
	}
	d = fz_model_diff(&r->m[side], &now);
	if (d >= 0) {
		for (uint32_t i = 0; i < now.n; i++)
			ndiff += r->m[side].present[i] != now.present[i];
		fz_failf(&r->fail, r->op, check,
			 "%s map %s holds %u elements, %u expected (%u keys differ in presence); "
			 "first difference: expected %s, map has %s",
			 side_name[side], when, now.count, r->m[side].count, ndiff,
			 fz_model_desc(&r->u, &r->m[side], (uint32_t)d, a, sizeof(a)),
			 fz_model_desc(&r->u, &now, (uint32_t)d, b, sizeof(b)));
	}
	fz_model_free(&now);
	return d < 0;
}

/* The value bytes an update must pass to store model value val. */
static bool value_in_for(const struct fz_run *r, const uint8_t *val, uint8_t *in)
{
	if (r->u.kind != FZ_HOM) {
		memcpy(in, val, r->u.stride);
		return true;
	}
	for (int j = 0; j < FZ_POOL; j++) {
		if (!memcmp(val, &r->pool->id[j], 4)) {
			memcpy(in, &r->pool->fd[j], 4);
			return true;
		}
	}
	return false;
}

/*
 * Where only the contract's freedom made the models differ (chunks of
 * lookup-and-delete, elements a native EFAULT lost) and no drain is open,
 * make map B like map A again, so later writes compare exactly.
 */
static void resync(struct fz_run *r)
{
	uint8_t in[FZ_STRIDE_MAX];

	for (uint32_t i = 0; i < r->nwalks; i++)
		if (r->walks[i]->del)
			return;
	if (fz_model_diff(&r->m[FZ_NAT], &r->m[FZ_EMU]) < 0)
		return;
	for (uint32_t i = 0; i < r->u.n; i++) {
		const uint8_t *v = fz_model_val(&r->m[FZ_NAT], i);
		const void *key = fz_key(&r->u, i);

		if (r->m[FZ_NAT].present[i]) {
			if (!memcmp(v, fz_model_val(&r->m[FZ_EMU], i), r->u.stride) &&
			    r->m[FZ_EMU].present[i])
				continue;
			if (value_in_for(r, v, in) &&
			    !bpf_map_update_elem(r->fd[FZ_EMU], key, in, 0))
				fz_run_set(r, FZ_EMU, i, v, NULL);
		} else if (r->m[FZ_EMU].present[i] && !bpf_map_delete_elem(r->fd[FZ_EMU], key)) {
			fz_run_set(r, FZ_EMU, i, NULL, NULL);
		}
	}
	fz_run_check_side(r, FZ_EMU, "after re-synchronising it with the native map");
}

void fz_run_op(struct fz_run *r, const struct fz_op *op)
{
	r->by_kind[op->kind]++;
	switch (op->kind) {
	case FZ_OP_STEP:
	case FZ_OP_REISSUE:
	case FZ_OP_FORK:
	case FZ_OP_ABANDON:
		fz_run_walk_op(r, op);
		break;
	case FZ_OP_CHECK:
		if (fz_run_check_side(r, FZ_NAT, "at a check") &&
		    fz_run_check_side(r, FZ_EMU, "at a check"))
			resync(r);
		break;
	default:
		fz_run_write_op(r, op);
		break;
	}
}

void fz_run_final(struct fz_run *r)
{
	if (!fz_run_check_side(r, FZ_NAT, "at the end") ||
	    !fz_run_check_side(r, FZ_EMU, "at the end"))
		return;
	if (r->trace)
		fprintf(r->trace, "  end: native map %u elements, emulated map %u elements%s\n",
			r->m[FZ_NAT].count, r->m[FZ_EMU].count,
			fz_model_diff(&r->m[FZ_NAT], &r->m[FZ_EMU]) < 0 ? ", equal" : "");
}
