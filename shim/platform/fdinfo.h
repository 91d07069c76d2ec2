/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The one reader of /proc/<pid>/fdinfo/<fd>: map facts for kernels before
 * 4.13 (no OBJ_GET_INFO_BY_FD), and what the supervisor and the simulator
 * learn about a target's fd (its mode, its map's id, type and frozen state).
 */
#ifndef BB_FDINFO_H
#define BB_FDINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/uapi.h"

/* What fdinfo says about an fd of any kind. */
struct bb_fdinfo {
	uint32_t flags;         /* open flags: O_ACCMODE says read/write */
	bool is_map;            /* a BPF map: the facts below are its own */
	bool frozen;            /* BPF_MAP_FREEZE done (always false before 5.2) */
	uint32_t prog_id;       /* a BPF program's id (0: not a program, or before 4.13) */
	struct bb_map_info map; /* id 0 where the kernel prints none (before 4.13) */
};

/* @out for @pid's @fd (@pid 0: this process); zeroed first, so it says
 * "not a map" after a failure. 0, -EBADF (no such fd) or another -errno. */
long bb_fdinfo_get(pid_t pid, int fd, struct bb_fdinfo *out);

/* The map facts of our own @fd, with a stand-in id where the kernel has
 * none. 0, -EBADF (no such fd) or -EINVAL (not a map). */
long bb_fdinfo_read(int fd, struct bb_map_info *info);

#endif
