/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "accel/accel.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "accel/accel_clock.h"
#include "accel/accel_config.h"
#include "accel/accel_mem.h"
#include "accel/accel_walk.h"
#include "core/dispatch.h"
#include "core/mapinfo.h"
#include "core/maptypes.h"
#include "platform/raw.h"
#include "platform/state.h"
#include "platform/stats.h"

/* Map fds (below 1024) found to be of a type acceleration leaves alone, so
 * that a loop of GET_NEXT_KEY(NULL) on them pays no OBJ_GET_INFO each. A
 * stale bit only costs acceleration, never a wrong answer; bpf() commands
 * that hand out a new fd clear it (bb_accel_new_fd). */
static _Atomic uint64_t plain_fds[16];

static bool plain_fd(int fd)
{
	return fd >= 0 && fd < 1024 &&
	       (atomic_load_explicit(&plain_fds[fd / 64], memory_order_relaxed) >> (fd % 64)) & 1;
}

static void set_plain_fd(int fd, bool plain)
{
	uint64_t bit = 1ULL << (fd % 64);

	if (fd < 0 || fd >= 1024)
		return;
	if (plain)
		atomic_fetch_or_explicit(&plain_fds[fd / 64], bit, memory_order_relaxed);
	else
		atomic_fetch_and_explicit(&plain_fds[fd / 64], ~bit, memory_order_relaxed);
}

/* The caller's own call, as it is: the kernel's answer stands. */
static long kernel(int cmd, void *uattr, unsigned int size)
{
	return bb_raw_syscall(__NR_bpf, cmd, (long)uattr, size, 0, 0, 0);
}

struct elem {
	int cmd;
	void *uattr;
	unsigned int size;
	int fd;
	void *key;
	void *val; /* next_key for GET_NEXT_KEY */
	uint64_t flags;
	uint64_t now;
};

/* Read the attr. False where the kernel should judge it: a size or a non-zero
 * byte the command does not take (the kernel's EINVAL / E2BIG), or an
 * unreadable attr (EFAULT). */
static bool read_attr(struct elem *e)
{
	unsigned char tail[BB_KERNEL_ATTR_SIZE - sizeof(struct bb_elem_attr)];
	struct bb_elem_attr a;
	/* Where the command's attr ends; bytes after it must be zero. */
	unsigned int end = e->cmd == BB_MAP_GET_NEXT_KEY
				   ? bb_offsetofend(struct bb_elem_attr, value)
				   : bb_offsetofend(struct bb_elem_attr, flags);
	unsigned int head = e->size < sizeof(a) ? e->size : (unsigned int)sizeof(a);

	if (e->size < 24 || e->size > BB_KERNEL_ATTR_SIZE)
		return false;
	memset(&a, 0, sizeof(a));
	if (bb_umem_read(&a, e->uattr, head, e->now))
		return false;
	if (head > end && a.flags)
		return false; /* GET_NEXT_KEY takes no flags */
	if (e->size > sizeof(a)) { /* rare: a larger union bpf_attr */
		if (bb_umem_read(tail, (char *)e->uattr + sizeof(a), e->size - sizeof(a), e->now))
			return false;
		for (unsigned int i = 0; i < e->size - sizeof(a); i++)
			if (tail[i])
				return false;
	}
	e->fd = (int)a.map_fd;
	e->key = (void *)(uintptr_t)a.key;
	e->val = (void *)(uintptr_t)a.value;
	e->flags = e->cmd == BB_MAP_GET_NEXT_KEY ? 0 : a.flags;
	return true;
}

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

static bool successor_type(uint32_t type)
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
static long kernel_next(struct bb_walk *w, const struct elem *e)
{
	long r = kernel(e->cmd, e->uattr, e->size);

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
static long window_answer(struct bb_walk *w, const struct elem *e, uint32_t i)
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
static long refresh(struct bb_walk *w, const struct elem *e)
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

static long next_from_window(struct bb_walk *w, const struct elem *e)
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
static long successor_answer(struct bb_walk *w, const struct elem *e)
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

static bool successor_fresh(const struct bb_walk *w, uint64_t now)
{
	return w->succ != BB_SUCC_NONE && now - w->succ_time <= bb_clock_within(BB_SUCC_TTL_NS);
}

/* No window: answer the GET_NEXT_KEY of a key just deleted from memory. */
static long next_from_memory(struct bb_walk *w, const struct elem *e)
{
	if (!successor_fresh(w, e->now) || !bb_small_eq(w->arg, w->del, w->key_size))
		return kernel_next(w, e);
	return successor_answer(w, e);
}

/* GET_NEXT_KEY(NULL) while this thread's walk of the map still has a fresh
 * first window: the first entry not deleted since (a "pop the first key"
 * loop). Once this process deleted the whole window, the next window is the
 * start of the map. -1 if that cannot be answered from memory. */
static long first_again(struct bb_walk *w, const struct elem *e)
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

static long start_walk(const struct elem *e)
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
		return kernel(e->cmd, e->uattr, e->size);
	}
	if (w && w->map_id == m.info.id) {
		if ((r = first_again(w, e)) != -1)
			return r;
		if (!w->win.on && w->del_first && successor_fresh(w, e->now))
			return successor_answer(w, e);
	}
	win = window_type(m.info.type);
	if (!win && !successor_type(m.info.type)) {
		if (w)
			bb_walk_close(w);
		set_plain_fd(e->fd, true);
		return kernel(e->cmd, e->uattr, e->size);
	}
	w = bb_walk_open(e->fd, m.info.key_size);
	if (!w)
		return kernel(e->cmd, e->uattr, e->size);
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

static long get_next_key(const struct elem *e)
{
	struct bb_walk *w;

	if (!e->key)
		return start_walk(e);
	w = bb_walk_find(e->fd, pthread_self());
	if (!w || bb_umem_read(w->arg, e->key, w->key_size, e->now))
		return kernel(e->cmd, e->uattr, e->size);
	return w->win.on ? next_from_window(w, e) : next_from_memory(w, e);
}

static long lookup(const struct elem *e)
{
	struct bb_walk *w = bb_walk_find(e->fd, pthread_self());
	struct bb_window *x;

	if (!w || !w->win.on || e->flags)
		return kernel(e->cmd, e->uattr, e->size);
	x = &w->win;
	if (x->pos >= x->n || x->marks[x->pos] || expired(w, e->now) ||
	    bb_umem_read(w->arg, e->key, w->key_size, e->now) ||
	    !bb_small_eq(w->arg, key_at(w, x->pos), w->key_size))
		return kernel(e->cmd, e->uattr, e->size);
	if (bb_umem_write(e->val, x->vals + (size_t)x->pos * w->value_size, w->value_size, e->now))
		return -EFAULT;
	served();
	return 0;
}

/* What a successful write of this process does to the walks of its map,
 * through this fd or another one (@t: which map the fd names, if asked). */
static void note_write(const struct elem *e, struct bb_touch *t)
{
	bool deleted = e->cmd != BB_MAP_UPDATE_ELEM;

	for (struct bb_walk *w = bb_walk_next_touched(NULL, t); w;
	     w = bb_walk_next_touched(w, t)) {
		if (bb_umem_read(w->arg, e->key, w->key_size, e->now))
			continue;
		if (w->win.on) {
			long j = bb_win_find(w, w->arg);

			if (j >= 0) {
				w->win.marks[j] |= deleted ? BB_MARK_DELETED | BB_MARK_STALE
							   : BB_MARK_STALE;
				bb_stat_add(BB_STAT_ACCEL_INVALIDATED, 1);
			}
		}
		if (w->succ == BB_SUCC_NONE)
			continue;
		/* The remembered successor deleted, or the deleted key written
		 * again: what follows it is the kernel's to say. */
		if ((deleted && w->succ == BB_SUCC_KEY &&
		     bb_small_eq(w->arg, w->succ_key, w->key_size)) ||
		    (!deleted && bb_small_eq(w->arg, w->del, w->key_size)))
			w->succ = BB_SUCC_NONE;
	}
}

/* Before deleting the key a walk's successor memory turns on -- the key
 * GET_NEXT_KEY last answered, or the successor already remembered (a loop
 * that deletes two at a time) -- ask the kernel what follows it, into
 * w->next. BB_SUCC_NONE: not such a key, or the kernel would not say. */
static enum bb_succ learn_successor(struct bb_walk *w, const struct elem *e, bool *on_cur)
{
	long s;

	if (e->cmd == BB_MAP_UPDATE_ELEM || !w || w->win.on || !successor_type(w->type) ||
	    bb_umem_read(w->arg, e->key, w->key_size, e->now))
		return BB_SUCC_NONE;
	*on_cur = w->have_cur && bb_small_eq(w->arg, w->cur, w->key_size);
	if (!*on_cur && !(w->succ == BB_SUCC_KEY && successor_fresh(w, e->now) &&
			  bb_small_eq(w->arg, w->succ_key, w->key_size)))
		return BB_SUCC_NONE;
	s = bb_raw_map_get_next_key(e->fd, w->arg, w->next);
	bb_stat_add(BB_STAT_ACCEL_EXTRA, 1);
	return s == 0 ? BB_SUCC_KEY : s == -ENOENT ? BB_SUCC_END : BB_SUCC_NONE;
}

static long write_elem(const struct elem *e)
{
	struct bb_walk *me = bb_walk_find(e->fd, pthread_self());
	struct bb_touch t = { .fd = e->fd, .now = e->now };
	enum bb_succ succ;
	bool on_cur = false;
	long r;

	if (!e->key || !bb_walk_next_touched(NULL, &t))
		return kernel(e->cmd, e->uattr, e->size);
	succ = learn_successor(me, e, &on_cur);
	r = kernel(e->cmd, e->uattr, e->size);
	/* ENOENT from a delete: the key is gone all the same. */
	if (r == 0 || (r == -ENOENT && e->cmd != BB_MAP_UPDATE_ELEM)) {
		note_write(e, &t);
		if (succ != BB_SUCC_NONE) {
			if (on_cur) {
				bb_small_copy(me->del, me->cur, me->key_size);
				me->del_first = me->cur_first;
				me->have_cur = false;
			}
			bb_small_copy(me->succ_key, me->next, me->key_size);
			me->succ = succ;
			me->succ_time = e->now;
		}
	}
	return r;
}

static long accel_elem(int cmd, void *uattr, unsigned int size)
{
	struct elem e = { .cmd = cmd, .uattr = uattr, .size = size };
	long r;

	/* Only GET_NEXT_KEY(NULL) opens a walk; without one, nothing to do. */
	if (cmd != BB_MAP_GET_NEXT_KEY && !bb_walk_any())
		return kernel(cmd, uattr, size);
	e.now = bb_clock_now();
	if (!read_attr(&e) || (e.key && !bb_walk_any()) ||
	    (cmd == BB_MAP_GET_NEXT_KEY && !e.key && plain_fd(e.fd)) || !bb_walk_lock())
		return kernel(cmd, uattr, size);
	bb_walk_tick(e.now);
	switch (cmd) {
	case BB_MAP_GET_NEXT_KEY:
		r = get_next_key(&e);
		break;
	case BB_MAP_LOOKUP_ELEM:
		r = lookup(&e);
		break;
	default:
		r = write_elem(&e);
		break;
	}
	bb_walk_unlock();
	return r;
}

/* A number just handed out cannot belong to an open walk any more. */
static void new_fd(int fd)
{
	set_plain_fd(fd, false);
	if (!bb_walk_lock())
		return;
	bb_fd_map_forget(fd);
	for (struct bb_walk *w = bb_walk_next_on_fd(NULL, fd); w; w = bb_walk_next_on_fd(w, fd))
		bb_walk_close(w);
	bb_walk_unlock();
}

/* bpf() commands that return a new fd. */
static bool new_fd_cmd(int cmd)
{
	switch (cmd) {
	case BB_MAP_CREATE:
	case BB_PROG_LOAD:
	case BB_OBJ_GET:
	case BB_PROG_GET_FD_BY_ID:
	case BB_MAP_GET_FD_BY_ID:
	case BB_RAW_TRACEPOINT_OPEN:
	case BB_BTF_LOAD:
	case BB_BTF_GET_FD_BY_ID:
	case BB_LINK_CREATE:
	case BB_LINK_GET_FD_BY_ID:
	case BB_ITER_CREATE:
	case BB_TOKEN_CREATE:
		return true;
	default:
		return false;
	}
}

long bb_accel_bpf(int cmd, void *uattr, unsigned int size)
{
	long r;

	if (BB_ACCEL_CMD(cmd))
		return accel_elem(cmd, uattr, size);
	r = kernel(cmd, uattr, size);
	if (r >= 0 && new_fd_cmd(cmd))
		new_fd((int)r);
	return r;
}

void bb_accel_before_batch(int cmd, void *uattr, unsigned int size)
{
	const unsigned int need = bb_offsetofend(struct bb_batch_attr, map_fd);
	struct bb_batch_attr a;
	struct bb_touch t = { .now = bb_clock_now() };

	if (cmd == BB_MAP_LOOKUP_BATCH || !bb_walk_any() || size < need)
		return;
	if (bb_umem_read(&a, uattr, need, t.now) || !bb_walk_lock())
		return;
	t.fd = (int)a.map_fd;
	for (struct bb_walk *w = bb_walk_next_touched(NULL, &t); w;
	     w = bb_walk_next_touched(w, &t)) {
		/* The whole window is as good as expired: the kernel answers
		 * the next call and the stretch is read again after the batch. */
		if (w->win.on)
			bb_stat_add(BB_STAT_ACCEL_INVALIDATED, 1);
		w->win.filled = 0;
		w->succ = BB_SUCC_NONE;
	}
	bb_walk_unlock();
}
