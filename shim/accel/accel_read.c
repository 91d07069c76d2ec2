/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Reads of a walk answered from memory: GET_NEXT_KEY from the prefetch
 * window or the successor memory, LOOKUP_ELEM of the walk's current key from
 * the window (accel.h has the model).
 */
#include <errno.h>
#include <pthread.h>

#include "accel/accel_clock.h"
#include "accel/accel_config.h"
#include "accel/accel_elem.h"
#include "accel/accel_mem.h"
#include "accel/accel_walk.h"
#include "core/dispatch.h"
#include "core/mapinfo.h"
#include "core/maptypes.h"
#include "platform/state.h"
#include "platform/stats.h"

static uint64_t max_age_ns(void)
{
	return (uint64_t)bb_accel_max_age_ms() * 1000000ULL;
}

static unsigned char *key_at(const struct bb_walk *w, uint32_t i)
{
	return w->win.keys + (size_t)i * w->key_size;
}

static bool expired(const struct bb_walk *w, uint64_t now)
{
	return now - w->win.filled > w->win.max_age;
}

static void served(void)
{
	bb_stat_add(BB_STAT_ACCEL_SERVED, 1);
}

/* Whether a type is worth it: core/maptypes.c (BB_ACCEL_*). A window is
 * read with LOOKUP_BATCH, so only where the kernel serves that itself. */
static bool window_type(uint32_t type)
{
	return bb_maptype_accel(type, BB_ACCEL_WINDOW) && max_age_ns() > 0 &&
	       bb_dispatch_kernel_serves(type, BB_MAP_LOOKUP_BATCH);
}

bool accel_successor_type(uint32_t type)
{
	return bb_maptype_accel(type, BB_ACCEL_SUCCESSOR);
}

/* The walk is over: ENOENT, from memory, and nothing of it is kept (its fd
 * may be closed and its number reused next). */
static long end_of_walk(struct bb_walk *w)
{
	bb_walk_close(w);
	served();
	return -ENOENT;
}

/* GET_NEXT_KEY by the kernel inside a walk: keep its answer as the walk's
 * position. The kernel has just written next_key, so it is writable. */
static long kernel_next(struct bb_walk *w, const struct accel_elem *e)
{
	long r = accel_kernel(e);

	w->have_cur = false;
	if (r == 0) {
		bb_umem_note(e->val, w->key_size, true, e->now);
		w->have_cur = bb_umem_read(w->cur, e->val, w->key_size, e->now) == 0;
		w->cur_first = !e->key;
	} else if (r == -ENOENT) {
		bb_walk_close(w);
	}
	return r;
}

/* Answer GET_NEXT_KEY with window entry i. */
static long window_answer(struct bb_walk *w, const struct accel_elem *e, uint32_t i)
{
	if (bb_umem_write(e->val, key_at(w, i), w->key_size, e->now))
		return -EFAULT;
	w->win.pos = i;
	bb_small_copy(w->cur, key_at(w, i), w->key_size);
	w->have_cur = true;
	served();
	return 0;
}

/* The window is too old to answer from: the kernel answers this call, and
 * the same stretch of the map is read again to go on from its answer. A walk
 * this slow gets smaller windows from then on. */
static long refresh(struct bb_walk *w, const struct accel_elem *e)
{
	struct bb_window *x = &w->win;
	uint32_t n = x->n;
	long r = kernel_next(w, e);

	if (r || !w->have_cur)
		return r;
	x->want = n > x->want ? n : x->want;
	if (bb_win_fill(w, x->from_start, x->in_tok, e->now) == 0) {
		long j = bb_win_find(w, w->cur);

		if (j >= 0)
			x->pos = (uint32_t)j;
		else
			x->on = false; /* the kernel went elsewhere (a restart): follow it */
	}
	x->want = n / 2 > BB_WIN_FIRST ? n / 2 : BB_WIN_FIRST;
	return 0;
}

static long next_from_window(struct bb_walk *w, const struct accel_elem *e)
{
	struct bb_window *x = &w->win;
	uint32_t i;

	if (x->pos >= x->n || !bb_small_eq(w->arg, key_at(w, x->pos), w->key_size))
		return kernel_next(w, e); /* not this walk's key: the kernel's answer */
	i = bb_win_next(w);
	if (i < x->n) {
		if (expired(w, e->now))
			return refresh(w, e);
		return window_answer(w, e, i);
	}
	if (x->last)
		return end_of_walk(w);
	if (bb_win_fill(w, false, x->out_tok, e->now))
		return kernel_next(w, e);
	if (x->n == 0)
		return end_of_walk(w);
	return window_answer(w, e, 0);
}

/* The successor remembered when the walk's key was deleted, as the answer;
 * the GET_NEXT_KEY(NULL) of a "pop the first key" loop is served too. */
static long successor_answer(struct bb_walk *w, const struct accel_elem *e)
{
	enum bb_succ s = w->succ;

	if (s == BB_SUCC_KEY && bb_umem_write(e->val, w->succ_key, w->key_size, e->now))
		return -EFAULT;
	bb_stat_add(BB_STAT_ACCEL_SUCCESSORS, 1);
	if (s == BB_SUCC_END)
		return end_of_walk(w);
	w->succ = BB_SUCC_NONE;
	w->have_cur = true;
	w->cur_first = !e->key;
	bb_small_copy(w->cur, w->succ_key, w->key_size);
	served();
	return 0;
}

bool accel_successor_fresh(const struct bb_walk *w, uint64_t now)
{
	return w->succ != BB_SUCC_NONE && now - w->succ_time <= bb_clock_within(BB_SUCC_TTL_NS);
}

/* No window: answer the GET_NEXT_KEY of a key just deleted from memory. */
static long next_from_memory(struct bb_walk *w, const struct accel_elem *e)
{
	if (!accel_successor_fresh(w, e->now) || !bb_small_eq(w->arg, w->del, w->key_size))
		return kernel_next(w, e);
	return successor_answer(w, e);
}

/* GET_NEXT_KEY(NULL) while this thread's walk of the map still has a fresh
 * first window: the first entry not deleted since (a "pop the first key"
 * loop). Once this process deleted the whole window, the next window is the
 * start of the map. -1 if that cannot be answered from memory. */
static long first_again(struct bb_walk *w, const struct accel_elem *e)
{
	struct bb_window *x = &w->win;
	uint32_t i = 0;

	if (!x->on || !x->first || expired(w, e->now))
		return -1;
	while (i < x->n && (x->marks[i] & BB_MARK_DELETED))
		i++;
	if (i == x->n) {
		if (x->last)
			return end_of_walk(w);
		if (bb_win_fill(w, false, x->out_tok, e->now) || x->n == 0)
			return -1;
		x->first = true;
		i = 0;
	}
	return window_answer(w, e, i);
}

static long start_walk(const struct accel_elem *e)
{
	struct bb_walk *w = bb_walk_find(e->fd, pthread_self());
	struct bb_map m;
	bool win;
	long r;

	/* The map is asked for every time: the fd may name another map now. */
	bb_stat_add(BB_STAT_ACCEL_EXTRA, 1);
	if (bb_map_get(e->fd, &m) != 0) {
		if (w)
			bb_walk_close(w);
		return accel_kernel(e);
	}
	if (w && w->map_id == m.info.id) {
		if ((r = first_again(w, e)) != -1)
			return r;
		if (!w->win.on && w->del_first && accel_successor_fresh(w, e->now))
			return successor_answer(w, e);
	}
	win = window_type(m.info.type);
	if (!win && !accel_successor_type(m.info.type)) {
		if (w)
			bb_walk_close(w);
		accel_set_plain_fd(e->fd, true);
		return accel_kernel(e);
	}
	w = bb_walk_open(e->fd, m.info.key_size);
	if (!w)
		return accel_kernel(e);
	w->map_id = m.info.id;
	w->type = m.info.type;
	w->value_size = m.value_stride;
	bb_win_init(w, win);
	w->win.max_age = bb_clock_within(max_age_ns());
	if (w->win.on) {
		r = bb_win_fill(w, true, 0, e->now);
		if (r == 0 && w->win.n == 0)
			return end_of_walk(w); /* an empty map */
		if (r == 0)
			return window_answer(w, e, 0);
		if (r == -BB_ENOTSUPP || r == -EOPNOTSUPP)
			bb_type_mark_unsupported(m.info.type, BB_MAP_LOOKUP_BATCH);
	}
	return kernel_next(w, e);
}

long accel_get_next_key(const struct accel_elem *e)
{
	struct bb_walk *w;

	if (!e->key)
		return start_walk(e);
	w = bb_walk_find(e->fd, pthread_self());
	if (!w || bb_umem_read(w->arg, e->key, w->key_size, e->now))
		return accel_kernel(e);
	return w->win.on ? next_from_window(w, e) : next_from_memory(w, e);
}

long accel_lookup(const struct accel_elem *e)
{
	struct bb_walk *w = bb_walk_find(e->fd, pthread_self());
	struct bb_window *x;

	if (!w || !w->win.on || e->flags)
		return accel_kernel(e);
	x = &w->win;
	if (x->pos >= x->n || x->marks[x->pos] || expired(w, e->now) ||
	    bb_umem_read(w->arg, e->key, w->key_size, e->now) ||
	    !bb_small_eq(w->arg, key_at(w, x->pos), w->key_size))
		return accel_kernel(e);
	if (bb_umem_write(e->val, x->vals + (size_t)x->pos * w->value_size, w->value_size, e->now))
		return -EFAULT;
	served();
	return 0;
}

