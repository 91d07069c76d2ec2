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

#define KV(maj, min) ((maj) * 256U + (min))
#define ENOTSUPP_ 524

enum {
	CMD_LOOKUP_ELEM = 1,
	CMD_UPDATE_ELEM = 2,
	CMD_GET_NEXT_KEY = 4,
	CMD_LOOKUP_AND_DELETE_ELEM = 21,
	CMD_LOOKUP_BATCH = 24,
	CMD_DELETE_BATCH = 27,
};

enum {
	TYPE_HASH = 1,
	TYPE_PERCPU_HASH = 5,
	TYPE_LRU_HASH = 9,
	TYPE_LRU_PERCPU_HASH = 10,
	TYPE_LPM_TRIE = 11,
	TYPE_ARRAY_OF_MAPS = 12,
	TYPE_HASH_OF_MAPS = 13,
};

static int notify_cmd(scmp_filter_ctx ctx, unsigned int cmd)
{
	return filter_bpf_cmd(ctx, SCMP_ACT_NOTIFY, 0xffffffffU, cmd);
}

int sim_notify_add_rules(scmp_filter_ctx ctx, unsigned major, unsigned minor)
{
	unsigned int v = KV(major, minor), cmds[8], n = 0;
	int r;

	if (v < KV(3, 18))
		return 0;
	if (v < KV(5, 1)) {
		cmds[n++] = CMD_LOOKUP_ELEM;
		cmds[n++] = CMD_UPDATE_ELEM;
	}
	if (v < KV(4, 16))
		cmds[n++] = CMD_GET_NEXT_KEY;
	if (v >= KV(4, 20) && v < KV(5, 14))
		cmds[n++] = CMD_LOOKUP_AND_DELETE_ELEM;
	if (v >= KV(5, 6) && v < KV(5, 19))
		for (unsigned int c = CMD_LOOKUP_BATCH; c <= CMD_DELETE_BATCH; c++)
			cmds[n++] = c;
	for (unsigned int i = 0; i < n; i++) {
		r = notify_cmd(ctx, cmds[i]);
		if (r < 0)
			return r;
	}
	return (int)n;
}

int sim_notify_needed(unsigned major, unsigned minor)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int n;

	if (!ctx)
		return 0;
	n = sim_notify_add_rules(ctx, major, minor);
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

static bool hash_type(unsigned int t)
{
	return t == TYPE_HASH || t == TYPE_PERCPU_HASH || t == TYPE_LRU_HASH ||
	       t == TYPE_LRU_PERCPU_HASH;
}

/* 0: let the kernel run it; else the -errno that kernel would give. Where
 * an earlier check of the kernel's would fail (bad fd, no access, bad
 * pointer) the call goes to the real kernel, which gives that answer. */
static int decide(const struct seccomp_notif *req, unsigned int v)
{
	unsigned int cmd = (unsigned int)req->data.args[0];
	unsigned int size = (unsigned int)req->data.args[2];
	unsigned char attr[64];
	struct fd_facts f;
	uint32_t fd;
	uint64_t w;

	memset(attr, 0, sizeof(attr));
	if (!read_target(req->pid, attr, req->data.args[1], size < 64 ? size : 64))
		return 0;

	if (cmd >= CMD_LOOKUP_BATCH && cmd <= CMD_DELETE_BATCH) {
		bool reads = cmd <= CMD_LOOKUP_BATCH + 1, writes = cmd != CMD_LOOKUP_BATCH;

		memcpy(&fd, attr + 36, sizeof(fd));
		fd_facts(req->pid, (int)fd, &f);
		if (!f.is_map || (reads && f.accmode == O_WRONLY) ||
		    (writes && (f.accmode == O_RDONLY || f.frozen)))
			return 0;
		if ((f.type == TYPE_LPM_TRIE && v < KV(5, 13)) ||
		    ((f.type == TYPE_ARRAY_OF_MAPS || f.type == TYPE_HASH_OF_MAPS) && v < KV(5, 19)))
			return -ENOTSUPP_;
		return 0;
	}

	memcpy(&fd, attr, sizeof(fd));
	switch (cmd) {
	case CMD_LOOKUP_ELEM:
	case CMD_UPDATE_ELEM:
		memcpy(&w, attr + 24, sizeof(w)); /* flags: no such field before 5.1 */
		return w ? -EINVAL : 0;
	case CMD_GET_NEXT_KEY:
		fd_facts(req->pid, (int)fd, &f);
		if (!f.is_map || f.accmode == O_WRONLY)
			return 0;
		if (f.type == TYPE_LPM_TRIE)
			return -ENOTSUPP_;
		memcpy(&w, attr + 8, sizeof(w));
		return (!w && v < KV(4, 12)) ? -EFAULT : 0;
	case CMD_LOOKUP_AND_DELETE_ELEM:
		fd_facts(req->pid, (int)fd, &f);
		if (!f.is_map || f.accmode != O_RDWR || f.frozen)
			return 0;
		memcpy(&w, attr + 8, sizeof(w));
		if (!hash_type(f.type) || !read_target(req->pid, attr, w, 1))
			return 0; /* queue/stack work; a bad key is the kernel's EFAULT */
		return -ENOTSUPP_;
	}
	return 0;
}

/* notify_loop.serve: fail the call as that kernel would, or let it run. */
static long judge(void *arg, const struct seccomp_notif *req)
{
	int err = decide(req, *(const unsigned int *)arg);

	/* A simulator only filters: the call itself is the target's. */
	return err ? err : NOTIFY_CONTINUE;
}

int sim_notify_serve(int listener, unsigned major, unsigned minor)
{
	unsigned int v = KV(major, minor);
	struct notify_loop l = { .listener = listener, .serve = judge, .arg = &v, .fd = -1 };
	int r = notify_loop_init(&l);

	if (r)
		return r;
	r = notify_loop_run(&l);
	notify_loop_free(&l);
	return r;
}
