/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/target_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/linux_abi.h"
#include "platform/fdinfo.h"
#include "platform/kversion.h"
#include "platform/raw.h"
#include "platform/uapi.h"


static bool use_fdinfo, force_take;
static bool fdinfo_ids = true; /* the map id in fdinfo may be used */

void tf_force_fdinfo(void)
{
	use_fdinfo = true;
}

void tf_force_take(void)
{
	use_fdinfo = force_take = true;
}

void tf_act_as(uint32_t v)
{
	fdinfo_ids = bb_kv_has(v, BB_KF_FDINFO_MAP_ID);
}

/* "Tgid:" of a thread: the process whose pidfd reaches the thread's fds on
 * kernels without thread pidfds (the fd table is shared by the threads). */
static pid_t thread_group(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

int tf_open(struct tf_target *t, pid_t tid)
{
	long fd;
	pid_t tgid;

	t->tid = tid;
	t->pidfd = -1;
	t->take = NULL;
	t->take_arg = NULL;
	if (use_fdinfo)
		return 0;
	fd = syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (fd < 0 && errno == EINVAL) {
		/* Before 6.9: pidfds name thread groups only, and a thread
		 * that leads none is EINVAL (ENOENT from 6.9 on, which a
		 * simulated older kernel leaves the host to answer). */
		fd = syscall(SYS_pidfd_open, tid, 0);
		if (fd < 0 && (errno == EINVAL || errno == ENOENT)) {
			tgid = thread_group(tid);
			if (tgid < 0)
				return -ESRCH;
			fd = syscall(SYS_pidfd_open, tgid, 0);
		}
	}
	if (fd < 0) {
		if (errno == ENOSYS) {
			use_fdinfo = true; /* before 5.3: no pidfds at all */
			return 0;
		}
		return -errno;
	}
	t->pidfd = (int)fd;
	return 0;
}

void tf_close(struct tf_target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
}

/* The map id and access mode of the target's @fd from its fdinfo. With
 * @own_file, -ENODATA for a map a reopened file will not do for: a perf
 * event array drops the entries stored through a file when that file is
 * released (perf_event_fd_array_release()), so an update through our copy
 * would be undone when we close it; the target's own file is taken. */
static int read_fdinfo(pid_t tid, int fd, bool own_file, uint32_t *map_id, int *accmode)
{
	struct bb_fdinfo fi;
	int r = (int)bb_fdinfo_get(tid, fd, &fi);

	if (r)
		return r;
	if (!fi.is_map)
		return -EINVAL; /* an open fd, but not a BPF map */
	if (!fi.map.id || !fdinfo_ids)
		return -ENODATA; /* a map, but no id to reopen it by */
	if (own_file && fi.map.type == BB_MAP_TYPE_PERF_EVENT_ARRAY)
		return -ENODATA;
	*map_id = fi.map.id;
	*accmode = (int)(fi.flags & O_ACCMODE);
	return 0;
}

/*
 * Reopen the map by id with the target fd's mode, then check that the fd
 * still names that map, so a target that swaps its fd meanwhile gets the
 * answer for one of its own maps and nothing else.
 */
static int getfd_fdinfo(pid_t tid, int fd, bool own_file)
{
	struct bb_get_id_attr a;
	uint32_t id, again;
	int mode, mode2, r;
	long nfd;

	if (fd < 0)
		return -EBADF;
	r = read_fdinfo(tid, fd, own_file, &id, &mode);
	if (r)
		return r;
	memset(&a, 0, sizeof(a));
	a.id = id;
	a.open_flags = mode == O_RDONLY ? BB_F_RDONLY : mode == O_WRONLY ? BB_F_WRONLY : 0;
	nfd = bb_raw_bpf(BB_MAP_GET_FD_BY_ID, &a, sizeof(a));
	if (nfd < 0)
		return (int)nfd;
	r = read_fdinfo(tid, fd, own_file, &again, &mode2);
	if (r || again != id || mode2 != mode) {
		close((int)nfd);
		return r ? r : -EAGAIN;
	}
	return (int)nfd;
}

/* The fd by id, else through the front end (also where fdinfo cannot be
 * read: a root without /proc; take() itself fails for a bad fd). */
static int getfd_fallback(struct tf_target *t, int fd)
{
	int r = force_take ? -ENODATA : getfd_fdinfo(t->tid, fd, t->take != NULL);

	if ((r == -ENODATA || r == -EINVAL || r == -EBADF) && t->take)
		return t->take(t->take_arg, fd);
	return r == -ENODATA ? -EINVAL : r;
}

int tf_getfd(struct tf_target *t, int fd)
{
	long nfd;

	if (use_fdinfo || t->pidfd < 0)
		return getfd_fallback(t, fd);
	nfd = syscall(SYS_pidfd_getfd, t->pidfd, fd, 0);
	if (nfd >= 0)
		return (int)nfd;
	if (errno == ENOSYS) {
		use_fdinfo = true; /* 5.3-5.5: pidfds but no pidfd_getfd */
		return getfd_fallback(t, fd);
	}
	return -errno;
}
