/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "sim/sim_judge.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/filter.h"
#include "common/target_mem.h"
#include "core/maptypes.h"
#include "platform/fdinfo.h"
#include "platform/kversion.h"
#include "platform/raw.h"
#include "platform/uapi.h"

/* Since when kernels answer @cmd for a map of @type as the newest does,
 * where that came later than the command itself; 0 or BB_KV_NEVER where the
 * answer never depended on the version (the kernel's own stands). */
static uint32_t type_since(uint32_t type, int cmd)
{
	if (BB_IS_BATCH_CMD(cmd))
		return bb_maptype_native_since(type, cmd);
	if (cmd == BB_MAP_GET_NEXT_KEY)
		return bb_maptype_next_key_since(type);
	if (cmd == BB_MAP_LOOKUP_AND_DELETE_ELEM)
		return bb_maptype_lookup_and_delete_elem_since(type);
	return 0;
}

/* Does kernel @v refuse @cmd for @type, which a newer kernel serves? */
static bool late_for_type(uint32_t v, uint32_t type, int cmd)
{
	uint32_t since = type_since(type, cmd);

	return since != BB_KV_NEVER && since > v;
}

/* Does kernel @v answer @cmd, which it knows, differently from the newest
 * kernel for some map type or argument? */
static bool differs(uint32_t v, int cmd)
{
	if (cmd == BB_MAP_LOOKUP_ELEM || cmd == BB_MAP_UPDATE_ELEM)
		return !bb_kv_has(v, BB_KF_ELEM_FLAGS);
	if (cmd == BB_MAP_GET_NEXT_KEY && !bb_kv_has(v, BB_KF_GET_NEXT_KEY_NULL))
		return true;
	for (uint32_t type = 0; type < BB_MAP_TYPE_COUNT; type++)
		if (late_for_type(v, type, cmd))
			return true;
	return false;
}

int sim_judged_rules(scmp_filter_ctx ctx, uint32_t v, uint32_t action, bool except_batch)
{
	int n = 0, r;

	for (int cmd = 0; cmd < BB_NCMDS; cmd++) {
		/* Commands it does not know are the plain filter's EINVAL. */
		if (!bb_kv_has(v, BB_KF_CMD(cmd)) || !differs(v, cmd))
			continue;
		if (except_batch && BB_IS_BATCH_CMD(cmd))
			continue;
		r = filter_bpf_cmd(ctx, action, 0xffffffffU, (uint32_t)cmd);
		if (r < 0)
			return r;
		n++;
	}
	return n;
}

/* What the target's fd is (works for any thread id); not a map if unknown. */
struct fd_facts {
	bool is_map;
	unsigned int type;
	unsigned int accmode;
	bool frozen;
};

static void fd_facts(pid_t tid, int fd, struct fd_facts *f)
{
	struct bb_fdinfo fi;

	bb_fdinfo_get(tid, fd, &fi);
	f->is_map = fi.is_map;
	f->type = fi.map.type;
	f->accmode = fi.flags & O_ACCMODE;
	f->frozen = fi.frozen;
}

static bool read_target(pid_t tid, void *dst, uint64_t src, size_t len)
{
	struct tm_span s = { .local = dst, .remote = src, .len = len };

	return tm_read(tid, &s, 1) == 0;
}

int sim_judge(pid_t tid, int cmd, uint64_t uattr, unsigned int size, uint32_t v)
{
	union {
		struct bb_batch_attr batch;
		struct bb_elem_attr elem;
		unsigned char bytes[64];
	} attr;
	unsigned char byte;
	struct fd_facts f;

	memset(&attr, 0, sizeof(attr));
	if (!read_target(tid, &attr, uattr, size < sizeof(attr) ? size : sizeof(attr)))
		return 0;

	if (BB_IS_BATCH_CMD(cmd)) {
		bool reads = cmd == BB_MAP_LOOKUP_BATCH || cmd == BB_MAP_LOOKUP_AND_DELETE_BATCH;
		bool writes = cmd != BB_MAP_LOOKUP_BATCH;

		fd_facts(tid, (int)attr.batch.map_fd, &f);
		if (!f.is_map || (reads && f.accmode == O_WRONLY) ||
		    (writes && (f.accmode == O_RDONLY || f.frozen)))
			return 0;
		return late_for_type(v, f.type, cmd) ? -BB_ENOTSUPP : 0;
	}

	switch (cmd) {
	case BB_MAP_LOOKUP_ELEM:
		/* No flags field yet: a non-zero one is a non-zero tail. */
		return attr.elem.flags && !bb_kv_has(v, BB_KF_ELEM_FLAGS) ? -EINVAL : 0;
	case BB_MAP_UPDATE_ELEM:
		/* BPF_ANY/NOEXIST/EXIST since 3.18; anything above (BPF_F_LOCK)
		 * was the maps' "flags > BPF_EXIST" EINVAL. */
		return attr.elem.flags > BB_EXIST && !bb_kv_has(v, BB_KF_ELEM_FLAGS) ? -EINVAL
										       : 0;
	case BB_MAP_GET_NEXT_KEY:
		fd_facts(tid, (int)attr.elem.map_fd, &f);
		if (!f.is_map || f.accmode == O_WRONLY)
			return 0;
		if (late_for_type(v, f.type, cmd))
			return -BB_ENOTSUPP;
		return (!attr.elem.key && !bb_kv_has(v, BB_KF_GET_NEXT_KEY_NULL)) ? -EFAULT : 0;
	case BB_MAP_LOOKUP_AND_DELETE_ELEM:
		fd_facts(tid, (int)attr.elem.map_fd, &f);
		if (!f.is_map || f.accmode != O_RDWR || f.frozen)
			return 0;
		/* queue/stack work; a bad key is the kernel's EFAULT */
		if (!late_for_type(v, f.type, cmd))
			return 0;
		return read_target(tid, &byte, attr.elem.key, 1) ? -BB_ENOTSUPP : 0;
	}
	return 0;
}

static uint32_t self_version;

/* bb_raw_judge_fn: the supervisor's own calls, judged where it makes them. */
static long judge_self(int cmd, void *attr, unsigned int size)
{
	/* Commands that kernel does not know are the seccomp filter's. */
	if (cmd < 0 || cmd >= BB_NCMDS || !bb_kv_has(self_version, BB_KF_CMD(cmd)) ||
	    !differs(self_version, cmd))
		return 0;
	return sim_judge(getpid(), cmd, (uint64_t)(uintptr_t)attr, size, self_version);
}

int sim_judge_self(unsigned int major, unsigned int minor)
{
	self_version = BB_KV(major, minor);
	bb_raw_set_judge(judge_self);
	return 0;
}
