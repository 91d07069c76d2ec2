/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "sim/sim_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/filter.h"
#include "common/notify_loop.h"
#include "common/target_mem.h"
#include "platform/fdinfo.h"

#include "core/maptypes.h"
#include "platform/kversion.h"
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

static int notify_cmd(scmp_filter_ctx ctx, unsigned int cmd)
{
	return filter_bpf_cmd(ctx, SCMP_ACT_NOTIFY, 0xffffffffU, cmd);
}

int sim_notify_add_rules(scmp_filter_ctx ctx, uint32_t v, bool served)
{
	int n = 0, r;

	for (int cmd = 0; cmd < BB_NCMDS; cmd++) {
		/* Commands it does not know are the plain filter's EINVAL. */
		if (!bb_kv_has(v, BB_KF_CMD(cmd)) || !differs(v, cmd))
			continue;
		if (served && BB_IS_BATCH_CMD(cmd))
			continue;
		r = notify_cmd(ctx, (unsigned int)cmd);
		if (r < 0)
			return r;
		n++;
	}
	return n;
}

int sim_notify_needed(unsigned major, unsigned minor)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int n;

	if (!ctx)
		return 0;
	n = sim_notify_add_rules(ctx, BB_KV(major, minor), false);
	seccomp_release(ctx);
	return n > 0;
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

long sim_notify_judge(const struct seccomp_notif *req, uint32_t v)
{
	int cmd = (int)(uint32_t)req->data.args[0];
	unsigned int size = (unsigned int)req->data.args[2];
	union {
		struct bb_batch_attr batch;
		struct bb_elem_attr elem;
		unsigned char bytes[64];
	} attr;
	unsigned char byte;
	struct fd_facts f;

	memset(&attr, 0, sizeof(attr));
	if (!read_target(req->pid, &attr, req->data.args[1],
			 size < sizeof(attr) ? size : sizeof(attr)))
		return 0;

	if (BB_IS_BATCH_CMD(cmd)) {
		bool reads = cmd == BB_MAP_LOOKUP_BATCH || cmd == BB_MAP_LOOKUP_AND_DELETE_BATCH;
		bool writes = cmd != BB_MAP_LOOKUP_BATCH;

		fd_facts(req->pid, (int)attr.batch.map_fd, &f);
		if (!f.is_map || (reads && f.accmode == O_WRONLY) ||
		    (writes && (f.accmode == O_RDONLY || f.frozen)))
			return 0;
		return late_for_type(v, f.type, cmd) ? -BB_ENOTSUPP : 0;
	}

	switch (cmd) {
	case BB_MAP_LOOKUP_ELEM:
	case BB_MAP_UPDATE_ELEM:
		/* No flags field yet: a non-zero one is a non-zero tail. */
		return attr.elem.flags && !bb_kv_has(v, BB_KF_ELEM_FLAGS) ? -EINVAL : 0;
	case BB_MAP_GET_NEXT_KEY:
		fd_facts(req->pid, (int)attr.elem.map_fd, &f);
		if (!f.is_map || f.accmode == O_WRONLY)
			return 0;
		if (late_for_type(v, f.type, cmd))
			return -BB_ENOTSUPP;
		return (!attr.elem.key && !bb_kv_has(v, BB_KF_GET_NEXT_KEY_NULL)) ? -EFAULT : 0;
	case BB_MAP_LOOKUP_AND_DELETE_ELEM:
		fd_facts(req->pid, (int)attr.elem.map_fd, &f);
		if (!f.is_map || f.accmode != O_RDWR || f.frozen)
			return 0;
		/* queue/stack work; a bad key is the kernel's EFAULT */
		if (!late_for_type(v, f.type, cmd))
			return 0;
		return read_target(req->pid, &byte, attr.elem.key, 1) ? -BB_ENOTSUPP : 0;
	}
	return 0;
}

/* notify_loop.serve: fail the call as that kernel would, or let it run. */
static long judge(void *arg, const struct seccomp_notif *req)
{
	long err = sim_notify_judge(req, *(const uint32_t *)arg);

	/* A simulator only filters: the call itself is the target's. */
	return err ? err : NOTIFY_CONTINUE;
}

int sim_notify_serve(int listener, unsigned major, unsigned minor)
{
	uint32_t v = BB_KV(major, minor);
	struct notify_loop l = { .listener = listener, .serve = judge, .arg = &v, .fd = -1 };
	int r = notify_loop_init(&l);

	if (r)
		return r;
	r = notify_loop_run(&l);
	notify_loop_free(&l);
	return r;
}
