/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The supervisor's copy of a map fd the target named. The supervisor acts
 * only through such copies, so it can do no more with a map than the target
 * could: the copy is the target's own open file (same read/write mode, same
 * map), never a map found any other way.
 */
#ifndef BPFBATCH_TARGET_FD_H
#define BPFBATCH_TARGET_FD_H

#include <stdint.h>
#include <sys/types.h>

/* The trapped thread @tid; the handle stays valid if @tid dies, so what is
 * taken through it is the notifying task's even if its pid is reused. */
struct tf_target {
	pid_t tid;
	int pidfd; /* -1 where the kernel has no pidfds (before 5.3) */
	/* The front end's own way to the target's @fd, where the kernel
	 * offers none (ptrace: the stopped thread sends it); NULL: none. A
	 * new fd or -errno, as tf_getfd(). */
	int (*take)(void *arg, int fd);
	void *take_arg;
};

/* Open a handle on @tid (a thread id, as seccomp reports it), with no
 * take(). Returns 0 or -errno (-ESRCH: it is gone). */
int tf_open(struct tf_target *t, pid_t tid);
void tf_close(struct tf_target *t);

/*
 * A new fd, owned by the caller, for the target's @fd: pidfd_getfd (5.6+),
 * or where the kernel has none, the map behind it reopened by id (fdinfo +
 * MAP_GET_FD_BY_ID, with the target fd's access mode; needs CAP_SYS_ADMIN;
 * fdinfo shows the id from 4.16), else the target's take(). A perf event
 * array, which binds entries to the file they were stored through, is
 * taken() where the front end can.
 * Returns the fd, -EBADF (the target has no such fd), -EINVAL (it is not a
 * BPF map and there is no take()) or another -errno.
 */
int tf_getfd(struct tf_target *t, int fd);

/* Force the fallback paths (tests; BPFBATCH_SUPERVISOR_GETFD=fdinfo|take). */
void tf_force_fdinfo(void);
void tf_force_take(void);

/* Act as kernel @v (BB_KV(), `run --kernel`): what procfs shows here but
 * that kernel's did not (the map id, before 4.16) is not used. */
void tf_act_as(uint32_t v);

#endif
