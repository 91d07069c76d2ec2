/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>

#include "core/bulk.h"
#include "core/emu.h"
#include "platform/raw.h"

/*
 * generic_map_update_batch and generic_map_delete_batch: element by element,
 * stop at the first error (a missing key for DELETE is ENOENT), count =
 * elements applied. Keys and values go to the kernel as the caller gave them,
 * so a bad pointer is the kernel's EFAULT for that element. Updates always
 * have BPF_ANY semantics (plus BPF_F_LOCK); for deletes BPF_F_LOCK, once
 * validated, has no effect. Where the bulk path serves the map it applies
 * them many per syscall, with the same stop, count and errno (bulk.h), and
 * the element loop goes on from wherever it had to leave off.
 */
static long write_elements(struct bb_emu_call *c, bool del, uint32_t *i)
{
	const char *keys = (const char *)(uintptr_t)c->a.keys;
	const char *values = (const char *)(uintptr_t)c->a.values;
	long r = 0;

	for (; *i < c->a.count; (*i)++) {
		const char *key = keys + (size_t)*i * c->m.info.key_size;

		r = del ? bb_raw_map_delete(c->m.fd, key)
			: bb_raw_map_update(c->m.fd, key, values + (size_t)*i * c->m.value_stride,
					    c->a.elem_flags);
		if (r)
			break;
	}
	return r;
}

long bb_emu_write(struct bb_emu_call *c, bool del)
{
	uint32_t i;
	long r = bb_bulk_write(c, del, &i);

	if (r == BB_BULK_DECLINED)
		r = write_elements(c, del, &i);
	if (bb_emu_put_count(c, i))
		return -EFAULT;
	return r;
}
