/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>

#include "emu.h"
#include "raw.h"

/* generic_map_delete_batch: stop at the first missing key (ENOENT) or fault;
 * count = keys deleted. BPF_F_LOCK was validated and has no effect here. */
long bb_emu_delete(struct bb_emu_call *c)
{
	const char *keys = (const char *)(uintptr_t)c->a.keys;
	uint32_t i;
	long r = 0;

	for (i = 0; i < c->a.count; i++) {
		r = bb_raw_map_delete(c->m.fd, keys + (size_t)i * c->m.key_size);
		if (r)
			break;
	}
	if (bb_emu_put_count(c, i))
		return -EFAULT;
	return r;
}
