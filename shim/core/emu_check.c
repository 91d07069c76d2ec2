/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/emu.h"
#include "core/maptypes.h"
#include "platform/raw.h"

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

/*
 * A type no kernel batches: after the fd and permission checks the newest
 * kernel says ENOTSUPP. Their single-element commands are no probe (a queue
 * lookup pops nothing but can answer ENOENT, its delete is EINVAL), so ask
 * the fd itself: is it a map (OBJ_GET_INFO_BY_FD also answers for progs),
 * and may it be read or written?
 */
static long check_unbatchable(int fd, bool reads, bool writes)
{
	char path[40], link[32];
	long n, mode;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = bb_raw_syscall(SYS_readlinkat, AT_FDCWD, (long)path, (long)link, sizeof(link) - 1,
			   0, 0);
	if (n > 0) {
		link[n] = '\0';
		if (strcmp(link, "anon_inode:bpf-map") != 0)
			return -EINVAL;
	}
	mode = bb_raw_syscall(SYS_fcntl, fd, F_GETFL, 0, 0, 0, 0);
	if (mode >= 0 && ((reads && (mode & O_ACCMODE) == O_WRONLY) ||
			  (writes && (mode & O_ACCMODE) == O_RDONLY)))
		return -EPERM;
	return -BB_ENOTSUPP;
}

enum bb_emu_verdict bb_emu_verdict(uint32_t type, int cmd)
{
	if (bb_maptype_family(type) == BB_FAM_NONE)
		return bb_maptype_unbatchable(type) ? BB_EMU_REFUSES : BB_EMU_PASSES;
	return bb_maptype_emulates(type, cmd) ? BB_EMU_SERVES : BB_EMU_REFUSES;
}

long bb_emu_check(struct bb_emu_call *c)
{
	const struct bb_batch_attr *a = &c->a;
	int fd = (int)a->map_fd;
	bool reads = c->cmd == BB_MAP_LOOKUP_BATCH || c->cmd == BB_MAP_LOOKUP_AND_DELETE_BATCH;
	bool writes = c->cmd != BB_MAP_LOOKUP_BATCH;
	enum bb_emu_verdict v = bb_emu_verdict(c->m.info.type, c->cmd);
	long r;

	/* c->m came from OBJ_GET_INFO_BY_FD (bb_map_get), which also answers
	 * for prog, btf and link fds: a non-map fd is caught by the probes. */
	if (v == BB_EMU_PASSES)
		return BB_NOT_EMULATED;
	if (c->m.family == BB_FAM_NONE)
		return check_unbatchable(fd, reads, writes);

	if (reads && (r = probe_read(fd, 0)))
		return r;
	if (writes && (r = probe_write(fd)))
		return r;
	if (v == BB_EMU_REFUSES)
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
