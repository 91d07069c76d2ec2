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

#include "emu.h"
#include "mem.h"
#include "raw.h"

#define KEY_CHUNK 1024

/* array_map_get_next_key: out of range restarts at 0, the last index ends. */
static bool next_index(const struct bb_map *m, bool have_prev, uint32_t prev, uint32_t *next)
{
	if (!have_prev || prev >= m->max_entries) {
		*next = 0;
		return m->max_entries > 0;
	}
	if (prev + 1 >= m->max_entries)
		return false;
	*next = prev + 1;
	return true;
}

long bb_emu_array_lookup(struct bb_emu_call *c, bool del)
{
	const struct bb_map *m = &c->m;
	char *keys = (char *)(uintptr_t)c->a.keys;
	char *values = (char *)(uintptr_t)c->a.values;
	uint32_t chunk[KEY_CHUNK], flushed = 0, n = 0, prev = 0, idx;
	bool have_prev = false, more;
	long r = 0;

	if (c->a.in_batch) {
		if (bb_mem_read(&prev, (const void *)(uintptr_t)c->a.in_batch, sizeof(prev)))
			return -EFAULT;
		have_prev = true;
	}

	more = next_index(m, have_prev, prev, &idx);
	while (n < c->a.count && more) {
		r = bb_emu_take(c, &idx, values + (size_t)n * m->value_stride, del);
		if (r == 0) {
			chunk[(n++) - flushed] = idx;
			if (n - flushed == KEY_CHUNK) {
				if (bb_mem_write(keys + (size_t)flushed * sizeof(idx), chunk,
						 sizeof(chunk)))
					return -EFAULT;
				flushed = n;
			}
		} else if (r != -ENOENT) { /* ENOENT: a hole, skipped as on 6.14+ */
			return r;
		}
		prev = idx;
		have_prev = true;
		more = next_index(m, true, prev, &idx);
	}
	if (bb_mem_write(keys + (size_t)flushed * sizeof(idx), chunk,
			 (size_t)(n - flushed) * sizeof(idx)))
		return -EFAULT;

	/* Generic order: count first, then the token, only if something was
	 * returned. */
	if (bb_emu_put_count(c, n))
		return -EFAULT;
	if (n && bb_mem_write((void *)(uintptr_t)c->a.out_batch, &prev, sizeof(prev)))
		return -EFAULT;
	return n < c->a.count ? -ENOENT : 0;
}
