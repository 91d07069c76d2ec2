/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel_walk.h"
#include "platform/raw.h"
#include "platform/stats.h"
#include "platform/uapi.h"

void bb_win_init(struct bb_walk *w, bool enable)
{
	struct bb_window *x = &w->win;
	uint64_t per = (uint64_t)w->key_size + w->value_size;
	uint64_t max = per ? BB_WIN_MAX_BYTES / per : 0;

	bb_win_free(x);
	x->max = max > BB_WIN_MAX ? BB_WIN_MAX : (uint32_t)max;
	x->want = x->max < BB_WIN_FIRST ? x->max : BB_WIN_FIRST;
	x->on = enable && x->max > 0;
}

void bb_win_free(struct bb_window *x)
{
	free(x->keys);
	free(x->vals);
	free(x->marks);
	memset(x, 0, sizeof(*x));
}

static bool grow(struct bb_walk *w, uint32_t want)
{
	struct bb_window *x = &w->win;
	unsigned char *k, *v, *m;

	if (x->cap >= want)
		return true;
	k = realloc(x->keys, (size_t)want * w->key_size);
	if (k)
		x->keys = k;
	v = realloc(x->vals, (size_t)want * w->value_size);
	if (v)
		x->vals = v;
	m = realloc(x->marks, want);
	if (m)
		x->marks = m;
	if (!k || !v || !m)
		return false;
	x->cap = want;
	return true;
}

long bb_win_fill(struct bb_walk *w, bool from_start, uint32_t tok, uint64_t now)
{
	struct bb_window *x = &w->win;

	for (;;) {
		struct bb_batch_attr a;
		uint32_t in = tok, out = 0;
		long r;

		if (!grow(w, x->want)) {
			x->on = false;
			return -ENOMEM;
		}
		memset(&a, 0, sizeof(a));
		a.in_batch = from_start ? 0 : (uint64_t)(uintptr_t)&in;
		a.out_batch = (uint64_t)(uintptr_t)&out;
		a.keys = (uint64_t)(uintptr_t)x->keys;
		a.values = (uint64_t)(uintptr_t)x->vals;
		a.count = x->want;
		a.map_fd = (uint32_t)w->fd;
		r = bb_raw_bpf(BB_MAP_LOOKUP_BATCH, &a, sizeof(a));
		bb_stat_add(BB_STAT_ACCEL_EXTRA, 1);
		/* A bucket larger than the window: retry with a larger one. */
		if (r == -ENOSPC && x->want < x->max) {
			x->want = x->want * 2 > x->max ? x->max : x->want * 2;
			continue;
		}
		if ((r != 0 && r != -ENOENT) || (r == 0 && a.count == 0) || a.count > x->want) {
			x->on = false;
			return r ? r : -EIO;
		}
		bb_stat_add(BB_STAT_ACCEL_WINDOWS, 1);
		x->n = a.count;
		x->pos = 0;
		x->last = r == -ENOENT;
		x->from_start = from_start;
		x->first = from_start;
		x->in_tok = tok;
		x->out_tok = out;
		x->filled = now;
		memset(x->marks, 0, x->n);
		/* Walks that keep going get larger windows: fewer syscalls. */
		if (x->want < x->max)
			x->want = x->want * 2 > x->max ? x->max : x->want * 2;
		return 0;
	}
}

long bb_win_find(const struct bb_walk *w, const void *key)
{
	const struct bb_window *x = &w->win;

	/* The current key first: the common case by far. */
	if (x->pos < x->n && bb_small_eq(x->keys + (size_t)x->pos * w->key_size, key, w->key_size))
		return x->pos;
	for (uint32_t i = 0; i < x->n; i++)
		if (bb_small_eq(x->keys + (size_t)i * w->key_size, key, w->key_size))
			return i;
	return -1;
}

uint32_t bb_win_next(const struct bb_walk *w)
{
	const struct bb_window *x = &w->win;
	uint32_t i = x->pos + 1;

	while (i < x->n && (x->marks[i] & BB_MARK_DELETED))
		i++;
	return i < x->n ? i : x->n;
}
