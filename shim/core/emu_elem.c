/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/emu.h"
#include "core/kprobe.h"
#include "platform/raw.h"

/* Where the kernel has no atomic lookup-and-delete for the type: a
 * concurrent update between the two is lost with the element. */
static long lookup_then_delete(const struct bb_emu_call *c, const void *key, void *value)
{
	long r = bb_raw_map_lookup(c->m.fd, key, value, c->a.elem_flags);

	return r ? r : bb_raw_map_delete(c->m.fd, key);
}

long bb_emu_take(const struct bb_emu_call *c, const void *key, void *value, bool del)
{
	long r;

	if (!del)
		return bb_raw_map_lookup(c->m.fd, key, value, c->a.elem_flags);
	r = bb_kprobe_lookup_and_delete_elem(c->m.fd, c->m.info.type, key, value,
					     c->a.elem_flags);
	return r == BB_KPROBE_LACKS ? lookup_then_delete(c, key, value) : r;
}
