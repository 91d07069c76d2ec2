/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "sim/sim_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

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
	/* The kernel takes cmd as an int: compare the low 32 bits only. */
	return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(bpf), 1,
				SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, cmd));
}

int sim_notify_add_rules(scmp_filter_ctx ctx, unsigned major, unsigned minor)
{
	uint32_t v = BB_KV(major, minor);
	int n = 0, r;

	for (int cmd = 0; cmd < BB_NCMDS; cmd++) {
		/* Commands it does not know are the plain filter's EINVAL. */
		if (!bb_kv_has(v, BB_KF_CMD(cmd)) || !differs(v, cmd))
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
	n = sim_notify_add_rules(ctx, major, minor);
	seccomp_release(ctx);
	return n > 0;
}

/* What the target's fd is, read from its fdinfo (works for any thread id). */
struct fd_facts {
	bool is_map;
	unsigned int type;
	unsigned int accmode;
	bool frozen;
};

static void fd_facts(pid_t tid, int fd, struct fd_facts *f)
{
	char path[64], text[1024], *p;
	ssize_t n;
	int h;

	memset(f, 0, sizeof(*f));
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	h = open(path, O_RDONLY | O_CLOEXEC);
	if (h < 0)
		return;
	n = read(h, text, sizeof(text) - 1);
	close(h);
	if (n <= 0)
		return;
	text[n] = '\0';
	if ((p = strstr(text, "flags:")))
		f->accmode = (unsigned int)strtoul(p + 6, NULL, 8) & O_ACCMODE;
	if ((p = strstr(text, "frozen:")))
		f->frozen = strtoul(p + 7, NULL, 10) != 0;
	if ((p = strstr(text, "map_type:"))) {
		f->is_map = true;
		f->type = (unsigned int)strtoul(p + 9, NULL, 10);
	}
}

static bool read_target(pid_t tid, void *dst, uint64_t src, size_t len)
{
	struct iovec l = { dst, len }, r = { (void *)(uintptr_t)src, len };

	return process_vm_readv(tid, &l, 1, &r, 1, 0) == (ssize_t)len;
}

/* 0: let the kernel run it; else the -errno that kernel would give. Where
 * an earlier check of the kernel's would fail (bad fd, no access, bad
 * pointer) the call goes to the real kernel, which gives that answer. */
static int decide(const struct seccomp_notif *req, uint32_t v)
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

int sim_notify_serve(int listener, unsigned major, unsigned minor)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	uint32_t v = BB_KV(major, minor);

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return -errno;
	/* The kernel's structs may be larger than our headers' (newer kernel). */
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp
								   : sizeof(*resp));
	if (!req || !resp) {
		free(req);
		free(resp);
		return -ENOMEM;
	}
	for (;;) {
		struct pollfd p = { .fd = listener, .events = POLLIN };
		int err;

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!(p.revents & POLLIN))
			break; /* POLLHUP: nobody is left under the filter */
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue; /* interrupted, or the target went away */
			break;
		}
		err = decide(req, v);
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		if (err) {
			resp->error = err;
		} else {
			/* A simulator only filters: the call itself is the target's. */
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		}
		/* ENOENT: the target died or was interrupted meanwhile; nothing to do. */
		(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	free(req);
	free(resp);
	return 0;
}
