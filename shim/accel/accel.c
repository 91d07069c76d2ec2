/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Acceleration's way in: element commands read from the caller's attr,
 * writes (and what they do to open walks), new fds, batch writes. Reads of a
 * walk are answered in accel_read.c.
 */
#include "accel/accel.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "accel/accel_clock.h"
#include "accel/accel_elem.h"
#include "accel/accel_mem.h"
#include "accel/accel_walk.h"
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

void accel_set_plain_fd(int fd, bool plain)
{
	uint64_t bit = 1ULL << (fd % 64);

	if (fd < 0 || fd >= 1024)
		return;
	if (plain)
		atomic_fetch_or_explicit(&plain_fds[fd / 64], bit, memory_order_relaxed);
	else
		atomic_fetch_and_explicit(&plain_fds[fd / 64], ~bit, memory_order_relaxed);
}


/* Read the attr. False where the kernel should judge it: a size or a non-zero
 * byte the command does not take (the kernel's EINVAL / E2BIG), or an
 * unreadable attr (EFAULT). */
static bool read_attr(struct accel_elem *e)
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
/* What a successful write of this process does to the walks of its map,
 * through this fd or another one (@t: which map the fd names, if asked). */
static void note_write(const struct accel_elem *e, struct bb_touch *t)
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
static enum bb_succ learn_successor(struct bb_walk *w, const struct accel_elem *e, bool *on_cur)
{
	long s;

	if (e->cmd == BB_MAP_UPDATE_ELEM || !w || w->win.on || !accel_successor_type(w->type) ||
	    bb_umem_read(w->arg, e->key, w->key_size, e->now))
		return BB_SUCC_NONE;
	*on_cur = w->have_cur && bb_small_eq(w->arg, w->cur, w->key_size);
	if (!*on_cur && !(w->succ == BB_SUCC_KEY && accel_successor_fresh(w, e->now) &&
			  bb_small_eq(w->arg, w->succ_key, w->key_size)))
		return BB_SUCC_NONE;
	s = bb_raw_map_get_next_key(e->fd, w->arg, w->next);
	bb_stat_add(BB_STAT_ACCEL_EXTRA, 1);
	return s == 0 ? BB_SUCC_KEY : s == -ENOENT ? BB_SUCC_END : BB_SUCC_NONE;
}

static long write_elem(const struct accel_elem *e)
{
	struct bb_walk *me = bb_walk_find(e->fd, pthread_self());
	struct bb_touch t = { .fd = e->fd, .now = e->now };
	enum bb_succ succ;
	bool on_cur = false;
	long r;

	if (!e->key || !bb_walk_next_touched(NULL, &t))
		return accel_kernel(e);
	succ = learn_successor(me, e, &on_cur);
	r = accel_kernel(e);
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
	struct accel_elem e = { .cmd = cmd, .uattr = uattr, .size = size };
	long r;

	/* Only GET_NEXT_KEY(NULL) opens a walk; without one, nothing to do. */
	if (cmd != BB_MAP_GET_NEXT_KEY && !bb_walk_any())
		return accel_raw(cmd, uattr, size);
	e.now = bb_clock_now();
	if (!read_attr(&e) || (e.key && !bb_walk_any()) ||
	    (cmd == BB_MAP_GET_NEXT_KEY && !e.key && plain_fd(e.fd)) || !bb_walk_lock())
		return accel_raw(cmd, uattr, size);
	bb_walk_tick(e.now);
	switch (cmd) {
	case BB_MAP_GET_NEXT_KEY:
		r = accel_get_next_key(&e);
		break;
	case BB_MAP_LOOKUP_ELEM:
		r = accel_lookup(&e);
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
	accel_set_plain_fd(fd, false);
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
	r = accel_raw(cmd, uattr, size);
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
