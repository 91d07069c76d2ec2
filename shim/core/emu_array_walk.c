/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * LOOKUP_BATCH for array-like maps, as generic_map_lookup_batch does it (and
 * LOOKUP_AND_DELETE_BATCH where a slot can be emptied, e.g. PROG_ARRAY): the
 * token is the last visited index (key_size bytes), so no state is needed,
 * and the index sequence is known, so each element costs one LOOKUP_ELEM.
 * The kernel cannot write the keys for us here; they are collected and
 * written in chunks (one syscall per chunk).
 */
#include <errno.h>
#include <string.h>

#include "core/bulk_queue.h"
#include "core/emu.h"
#include "platform/mem.h"
#include "platform/raw.h"

#define KEY_CHUNK 1024

/* array_map_get_next_key: out of range restarts at 0, the last index ends. */
static bool next_index(const struct bb_map *m, bool have_prev, uint32_t prev, uint32_t *next)
{
	if (!have_prev || prev >= m->info.max_entries) {
		*next = 0;
		return m->info.max_entries > 0;
	}
	if (prev + 1 >= m->info.max_entries)
		return false;
	*next = prev + 1;
	return true;
}

struct array_walk {
	char *keys;
	uint32_t chunk[KEY_CHUNK];
	uint32_t flushed; /* keys[0..flushed) written */
	uintptr_t writable_to;
};

/* Write the collected keys [flushed, n) to the caller. */
static int flush(struct array_walk *a, uint32_t n)
{
	int r = bb_mem_write(a->keys + (size_t)a->flushed * sizeof(uint32_t), a->chunk,
			     (size_t)(n - a->flushed) * sizeof(uint32_t));

	if (!r)
		a->flushed = n;
	return r;
}

/* The kernel writes each key before its value: a key slot it cannot write
 * fails the element before its value is written. Checked once per page. */
static int key_slot_writable(struct array_walk *a, uint32_t n)
{
	uintptr_t k = (uintptr_t)(a->keys + (size_t)n * sizeof(uint32_t));

	if (k + sizeof(uint32_t) <= a->writable_to)
		return 0;
	if (bb_mem_writable((void *)k, sizeof(uint32_t)))
		return -EFAULT;
	a->writable_to = ((k + sizeof(uint32_t)) + 4095) & ~(uintptr_t)4095;
	return 0;
}

/* Where the walk stands: element n is next, at index idx if more. */
struct pos {
	uint32_t n, prev, idx;
	bool have_prev, more;
};

/* The key of element n faults part-way: the kernel's copy has written the
 * bytes before the fault, and a copy of ours stops at the same page. */
static void partial_key(struct array_walk *a, const struct pos *p)
{
	bb_mem_write(a->keys + (size_t)p->n * sizeof(uint32_t), &p->idx, sizeof(p->idx));
}

static void advance(const struct bb_map *m, struct pos *p)
{
	p->prev = p->idx;
	p->have_prev = true;
	p->more = next_index(m, true, p->prev, &p->idx);
}

/* Up to @lim elements, one LOOKUP_ELEM (+ delete) each. */
static long walk_elements(struct bb_emu_call *c, bool del, struct array_walk *a, struct pos *p,
			  uint32_t lim)
{
	char *values = (char *)(uintptr_t)c->a.values;
	long r;

	while (p->n < lim && p->more) {
		if (key_slot_writable(a, p->n)) {
			if (!flush(a, p->n))
				partial_key(a, p);
			return -EFAULT;
		}
		r = bb_emu_take(c, &p->idx, values + (size_t)p->n * c->m.value_stride, del);
		if (r == 0) {
			a->chunk[(p->n++) - a->flushed] = p->idx;
			if (p->n - a->flushed == KEY_CHUNK && flush(a, p->n))
				return -EFAULT;
		} else if (r == -EFAULT) {
			/* The value faulted: its key is already written. */
			a->chunk[p->n - a->flushed] = p->idx;
			flush(a, p->n + 1);
			return r;
		} else if (r != -ENOENT) { /* ENOENT: a hole, skipped as on 6.14+ */
			return r;
		}
		advance(&c->m, p);
	}
	return flush(a, p->n) ? -EFAULT : 0;
}

/* The same with the values in bulk (bulk_queue.h): the key slots are
 * checked as above, and each flush writes keys and values. */
static long walk_bulk(struct bb_emu_call *c, struct bb_take_queue *tq, struct array_walk *a,
		      struct pos *p, uint32_t lim)
{
	long r;

	while (p->n < lim && p->more) {
		if (key_slot_writable(a, p->n)) {
			/* Once the queue is taken, the slot may be a lower one. */
			if (!tq->q) {
				partial_key(a, p);
				return -EFAULT;
			}
			if ((r = bb_tq_flush(tq, &p->n)))
				return r;
			continue;
		}
		bb_tq_push(tq, &p->idx, &p->n);
		advance(&c->m, p);
		if ((bb_tq_full(tq) || p->n == lim || !p->more) &&
		    (r = bb_tq_flush(tq, &p->n)))
			return r;
	}
	return 0;
}

/*
 * A lookup-and-delete deletes only what it can hand back (as key_walk.c):
 * where a slot the call may need cannot be written, a pass without deletes
 * first finds whether the walk gets there (then EFAULT, nothing deleted).
 * Returns how many elements the deleting pass may take, or -errno.
 */
static long drain_limit(struct bb_emu_call *c, struct array_walk *a, struct pos *p)
{
	uint32_t cap = c->a.count < c->m.info.max_entries ? c->a.count : c->m.info.max_entries;
	uint32_t lim = bb_mem_writable_pairs(a->keys, sizeof(uint32_t),
					     (void *)(uintptr_t)c->a.values, c->m.value_stride, cap);
	struct pos start = *p;
	long r;

	if (lim == cap)
		return c->a.count;
	r = walk_elements(c, false, a, p, c->a.count);
	*p = start;
	*a = (struct array_walk){ .keys = a->keys };
	return r ? r : lim;
}

long bb_emu_array_lookup(struct bb_emu_call *c, bool del)
{
	struct array_walk a = { .keys = (char *)(uintptr_t)c->a.keys };
	struct pos p = { 0 };
	struct bb_take_queue tq;
	long lim = c->a.count, r;
	bool drain = del;

	if (c->a.in_batch) {
		if (bb_mem_read(&p.prev, (const void *)(uintptr_t)c->a.in_batch, sizeof(p.prev)))
			return -EFAULT;
		p.have_prev = true;
	}
	/* Where the token cannot be written back, fill the buffers and fail
	 * without deleting anything (as the hash family does). */
	if (del && bb_mem_writable((void *)(uintptr_t)c->a.out_batch, sizeof(p.prev)))
		del = false;
	p.more = next_index(&c->m, p.have_prev, p.prev, &p.idx);
	if (del && (lim = drain_limit(c, &a, &p)) < 0)
		return lim;
	bb_tq_init(&tq, c, del);
	r = tq.on ? walk_bulk(c, &tq, &a, &p, (uint32_t)lim) :
		    walk_elements(c, del, &a, &p, (uint32_t)lim);
	bb_tq_fini(&tq);
	if (r)
		return r;

	/* Generic order: count first, then the token, only if something was
	 * returned; a lookup-and-delete (the shim's own command here) writes
	 * the token first, so that one it cannot write leaves count 0 with
	 * nothing taken. */
	if (drain && p.n && bb_mem_write((void *)(uintptr_t)c->a.out_batch, &p.prev, sizeof(p.prev)))
		return -EFAULT;
	if (bb_emu_put_count(c, p.n))
		return -EFAULT;
	if (!drain && p.n && bb_mem_write((void *)(uintptr_t)c->a.out_batch, &p.prev, sizeof(p.prev)))
		return -EFAULT;
	/* (stopped at the drain limit with more to come: a short count, 0) */
	return p.n < c->a.count && (p.n < lim || !p.more) ? -ENOENT : 0;
}
