/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>

#include "core/emu.h"
#include "platform/raw.h"
#include "platform/state.h"

/* Where the kernel has no atomic lookup-and-delete for the type: a
 * concurrent update between the two is lost with the element. */
static long lookup_then_delete(const struct bb_emu_call *c, const void *key, void *value)
{
	long r = bb_raw_map_lookup(c->m.fd, key, value, c->a.elem_flags);

	return r ? r : bb_raw_map_delete(c->m.fd, key);
}

long bb_emu_take(const struct bb_emu_call *c, const void *key, void *value, bool del)
{
	enum bb_tri lde;
	long r;

	if (!del)
		return bb_raw_map_lookup(c->m.fd, key, value, c->a.elem_flags);
	lde = bb_type_lookup_and_delete_elem(c->m.info.type);
	if (lde == BB_TRI_NO)
		return lookup_then_delete(c, key, value);

	r = bb_raw_map_lookup_and_delete(c->m.fd, key, value, c->a.elem_flags);
	if (lde == BB_TRI_UNKNOWN) {
		/* The first real use is the probe: where the type lacks it the
		 * kernel says ENOTSUPP (EINVAL before 4.20) and changes nothing. */
		if (r == -BB_ENOTSUPP || r == -EOPNOTSUPP || r == -EINVAL) {
			bb_type_set_lookup_and_delete_elem(c->m.info.type, false);
			return lookup_then_delete(c, key, value);
		}
		if (r == 0 || r == -ENOENT)
			bb_type_set_lookup_and_delete_elem(c->m.info.type, true);
	}
	return r;
}
