/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>

#include "emu.h"
#include "raw.h"

/*
 * A single-element command with a NULL key passes the same fd, map and
 * permission checks as the batch front end (including "frozen" for writes)
 * and then stops at copying the key: -EFAULT means "allowed". It changes
 * nothing and costs one syscall, which is cheaper than reading fdinfo.
 */
static long probe_read(int fd, uint64_t flags)
{
	long r = bb_raw_map_lookup(fd, NULL, NULL, flags);

	return r == -EFAULT ? 0 : r;
}

static long probe_write(int fd)
{
	long r = bb_raw_map_delete(fd, NULL);

	return r == -EFAULT ? 0 : r;
}

/* After the permission checks: UPDATE_ELEM checks F_LOCK against the value's
 * spin lock before it copies the key. */
static long probe_update_flags(int fd, uint64_t flags)
{
	long r = bb_raw_map_update(fd, NULL, NULL, flags);

	return r == -EFAULT ? 0 : r;
}

long bb_emu_check(struct bb_emu_call *c)
{
	const struct bb_batch_attr *a = &c->a;
	int fd = (int)a->map_fd;
	bool reads = c->cmd == BB_MAP_LOOKUP_BATCH || c->cmd == BB_MAP_LOOKUP_AND_DELETE_BATCH;
	bool writes = c->cmd != BB_MAP_LOOKUP_BATCH;
	long r;

	/* EBADF for a closed fd; a non-map fd is caught by the probes below
	 * (OBJ_GET_INFO_BY_FD also answers for prog, btf and link fds). */
	r = bb_map_get(fd, &c->m);
	if (r < 0)
		return r;
	if (c->m.family == BB_FAM_NONE)
		return BB_NOT_EMULATED;

	if (reads && (r = probe_read(fd, 0)))
		return r;
	if (writes && (r = probe_write(fd)))
		return r;
	if (!bb_map_has_batch_op(&c->m, c->cmd))
		return -BB_ENOTSUPP;

	if (a->elem_flags & ~BB_F_LOCK)
		return -EINVAL;
	if (a->elem_flags & BB_F_LOCK) {
		/* EINVAL unless the value has a bpf_spin_lock. */
		r = reads ? probe_read(fd, BB_F_LOCK) : probe_update_flags(fd, BB_F_LOCK);
		if (r)
			return r;
	}
	if (reads && c->m.family == BB_FAM_HASH && a->flags)
		return -EINVAL;
	if (a->count == 0)
		return BB_CHECK_DONE;
	return 0;
}
