/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The supervisor's copy of a map fd the target named. The supervisor acts
 * only through such copies, so it can do no more with a map than the target
 * could: the copy is the target's own open file (same read/write mode, same
 * map), never a map found any other way.
 */
#ifndef BPFBATCH_TARGET_FD_H
#define BPFBATCH_TARGET_FD_H

#include <sys/types.h>

/* The trapped thread @tid; the handle stays valid if @tid dies, so what is
 * taken through it is the notifying task's even if its pid is reused. */
struct tf_target {
	pid_t tid;
	int pidfd; /* -1 where the kernel has no pidfds (before 5.3) */
};

/* Open a handle on @tid (a thread id, as seccomp reports it).
 * Returns 0 or -errno (-ESRCH: it is gone). */
int tf_open(struct tf_target *t, pid_t tid);
void tf_close(struct tf_target *t);

/*
 * A new fd, owned by the caller, for the target's @fd: pidfd_getfd (5.6+),
 * or where the kernel has none, the map behind it reopened by id (fdinfo +
 * MAP_GET_FD_BY_ID, with the target fd's access mode; needs CAP_SYS_ADMIN).
 * Returns the fd, -EBADF (the target has no such fd), -EINVAL (it is not a
 * BPF map, fallback path only) or another -errno.
 */
int tf_getfd(struct tf_target *t, int fd);

/* Force the fallback path (tests; BPFBATCH_SUPERVISOR_GETFD=fdinfo). */
void tf_force_fdinfo(void);

#endif
