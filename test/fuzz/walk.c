/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "walk.h"

#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

static void side_alloc(struct fz_wside *ws, uint32_t n)
{
	ws->start = xcalloc(n, 1);
	ws->touched = xcalloc(n, 1);
	ws->mark = xcalloc(n, 1);
	ws->epoch = xcalloc(n, sizeof(uint32_t));
	ws->ret_epoch = xcalloc(n, sizeof(uint32_t));
	ws->times = xcalloc(n, sizeof(uint16_t));
}

static void step_copy(struct fz_step *dst, const struct fz_step *src)
{
	*dst = *src;
	dst->keys = xcalloc(src->n, sizeof(uint32_t));
	memcpy(dst->keys, src->keys, src->n * sizeof(uint32_t));
}

struct fz_walk *fz_walk_new(uint32_t id, bool del, uint32_t n, uint32_t tok_len, const void *tok,
			    uint32_t len)
{
	struct fz_walk *w = xcalloc(1, sizeof(*w));

	w->start_key = -1;
	w->id = id;
	w->del = del;
	w->n = n;
	for (int s = 0; s < 2; s++) {
		side_alloc(&w->s[s], n);
		w->s[s].tok_len = tok_len;
		w->s[s].start_len = len;
		if (len)
			memcpy(w->s[s].start_tok, tok, len);
	}
	return w;
}

struct fz_walk *fz_walk_clone(const struct fz_walk *w, uint32_t id)
{
	struct fz_walk *c = xcalloc(1, sizeof(*c));
	uint32_t n = w->n;

	*c = *w;
	c->id = id;
	for (int s = 0; s < 2; s++) {
		const struct fz_wside *a = &w->s[s];
		struct fz_wside *b = &c->s[s];

		side_alloc(b, n);
		memcpy(b->start, a->start, n);
		memcpy(b->touched, a->touched, n);
		memcpy(b->epoch, a->epoch, n * sizeof(uint32_t));
		memcpy(b->ret_epoch, a->ret_epoch, n * sizeof(uint32_t));
		memcpy(b->times, a->times, n * sizeof(uint16_t));
		b->steps = xcalloc(a->cap, sizeof(*b->steps));
		for (uint32_t i = 0; i < a->nsteps; i++)
			step_copy(&b->steps[i], &a->steps[i]);
	}
	return c;
}

void fz_walk_free(struct fz_walk *w)
{
	if (!w)
		return;
	for (int s = 0; s < 2; s++) {
		struct fz_wside *ws = &w->s[s];

		for (uint32_t i = 0; i < ws->nsteps; i++)
			free(ws->steps[i].keys);
		free(ws->steps);
		free(ws->start);
		free(ws->touched);
		free(ws->mark);
		free(ws->epoch);
		free(ws->ret_epoch);
		free(ws->times);
	}
	free(w);
}

const uint8_t *fz_wside_token(const struct fz_wside *ws, uint32_t *len)
{
	if (!ws->nsteps) {
		*len = ws->start_len;
		return ws->start_tok;
	}
	*len = ws->tok_len;
	return ws->steps[ws->nsteps - 1].out_tok;
}

const struct fz_step *fz_wside_back(const struct fz_wside *ws, uint32_t back)
{
	return back < ws->nsteps ? &ws->steps[ws->nsteps - 1 - back] : NULL;
}

void fz_wside_begin(struct fz_wside *ws, const struct fz_model *m)
{
	ws->started = true;
	memcpy(ws->start, m->present, m->n);
}

void fz_wside_changed(struct fz_wside *ws, uint32_t i, bool now_present)
{
	if (!ws->started || ws->done)
		return;
	ws->touched[i] = 1;
	if (now_present)
		ws->epoch[i]++;
}

/* Key returned again without having been inserted again since? */
static bool returned_twice(struct fz_wside *ws, uint32_t k)
{
	return ws->times[k] && ws->epoch[k] == ws->ret_epoch[k];
}

long fz_wside_account(struct fz_wside *ws, bool del, const struct fz_step *st, uint32_t keep,
		      bool check)
{
	long dup = -1;

	if (keep == FZ_OFF_PATH && !del) {
		/* A lookup the walk does not go on from: only its own chunk
		 * must be free of duplicates. */
		for (uint32_t i = 0; i < st->n; i++) {
			if (ws->mark[st->keys[i]] && dup < 0)
				dup = st->keys[i];
			ws->mark[st->keys[i]] = 1;
		}
		for (uint32_t i = 0; i < st->n; i++)
			ws->mark[st->keys[i]] = 0;
		return check ? dup : -1;
	}
	if (keep != FZ_OFF_PATH) {
		while (ws->nsteps > keep) {
			struct fz_step *old = &ws->steps[--ws->nsteps];

			/* a drain's keys are gone whatever path it takes */
			for (uint32_t i = 0; i < old->n && !del; i++)
				ws->times[old->keys[i]]--;
			free(old->keys);
		}
		if (ws->nsteps == ws->cap) {
			ws->cap = ws->cap ? 2 * ws->cap : 16;
			ws->steps = realloc(ws->steps, ws->cap * sizeof(*ws->steps));
			if (!ws->steps)
				abort();
		}
		step_copy(&ws->steps[ws->nsteps++], st);
		ws->done = st->err != 0;
	}
	for (uint32_t i = 0; i < st->n; i++) {
		uint32_t k = st->keys[i];

		if (returned_twice(ws, k) && dup < 0)
			dup = k;
		ws->times[k]++;
		ws->ret_epoch[k] = ws->epoch[k];
	}
	return check ? dup : -1;
}

long fz_wside_missed(const struct fz_wside *ws, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		if (ws->start[k] && !ws->touched[k] && !ws->times[k])
			return k;
	return -1;
}
