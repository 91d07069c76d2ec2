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

long bb_emu_array_lookup(struct bb_emu_call *c, bool del)
{
	const struct bb_map *m = &c->m;
	char *values = (char *)(uintptr_t)c->a.values;
	struct array_walk a = { .keys = (char *)(uintptr_t)c->a.keys };
	uint32_t n = 0, prev = 0, idx;
	bool have_prev = false, more;
	long r = 0;

	if (c->a.in_batch) {
		if (bb_mem_read(&prev, (const void *)(uintptr_t)c->a.in_batch, sizeof(prev)))
			return -EFAULT;
		have_prev = true;
	}
	/* Where the token cannot be written back, fill the buffers and fail
	 * without deleting anything (as the hash family does). */
	if (del && bb_mem_writable((void *)(uintptr_t)c->a.out_batch, sizeof(prev)))
		del = false;

	more = next_index(m, have_prev, prev, &idx);
	while (n < c->a.count && more) {
		if (key_slot_writable(&a, n)) {
			flush(&a, n);
			return -EFAULT;
		}
		r = bb_emu_take(c, &idx, values + (size_t)n * m->value_stride, del);
		if (r == 0) {
			a.chunk[(n++) - a.flushed] = idx;
			if (n - a.flushed == KEY_CHUNK && flush(&a, n))
				return -EFAULT;
		} else if (r == -EFAULT) {
			/* The value faulted: its key is already written. */
			a.chunk[n - a.flushed] = idx;
			flush(&a, n + 1);
			return r;
		} else if (r != -ENOENT) { /* ENOENT: a hole, skipped as on 6.14+ */
			return r;
		}
		prev = idx;
		have_prev = true;
		more = next_index(m, true, prev, &idx);
	}
	if (flush(&a, n))
		return -EFAULT;

	/* Generic order: count first, then the token, only if something was
	 * returned. */
	if (bb_emu_put_count(c, n))
		return -EFAULT;
	if (n && bb_mem_write((void *)(uintptr_t)c->a.out_batch, &prev, sizeof(prev)))
		return -EFAULT;
	return n < c->a.count ? -ENOENT : 0;
}
