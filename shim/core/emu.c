/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/emu.h"

#include <errno.h>

#include "core/attr.h"
#include "platform/stats.h"

long bb_emu_prepare(struct bb_emu_call *c, int cmd, void *uattr, unsigned int size)
{
	long r;

	c->cmd = cmd;
	c->uattr = uattr;
	c->size = size;
	r = bb_attr_ingest(uattr, size, &c->a);
	return r ? r : bb_map_get((int)c->a.map_fd, &c->m);
}

long bb_emu_run(struct bb_emu_call *c)
{
	bool del = c->cmd == BB_MAP_LOOKUP_AND_DELETE_BATCH || c->cmd == BB_MAP_DELETE_BATCH;
	long r = bb_emu_check(c);

	if (r != BB_NOT_EMULATED)
		bb_stat_add(BB_STAT_EMULATED_CALLS, 1);
	if (r == BB_CHECK_DONE)
		return 0;
	if (r)
		return r;

	/* Once past validation the kernel zeroes count first, so every later
	 * failure of a lookup reports 0; a read-only attr fails here. */
	if (bb_emu_put_count(c, 0))
		return -EFAULT;

	if (c->cmd == BB_MAP_UPDATE_BATCH || c->cmd == BB_MAP_DELETE_BATCH)
		return bb_emu_write(c, del);
	if (c->m.family == BB_FAM_ARRAY)
		return bb_emu_array_lookup(c, del);
	if (c->m.family == BB_FAM_TRIE)
		return bb_emu_trie_lookup(c, del);
	return bb_emu_hash_lookup(c, del);
}
