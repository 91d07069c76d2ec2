/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Map facts from /proc/self/fdinfo/<fd>, for kernels before 4.13 (no
 * OBJ_GET_INFO_BY_FD). Such kernels have no map ids: id stays 0. */
#ifndef BB_FDINFO_H
#define BB_FDINFO_H

#include "platform/uapi.h"

/* 0, -EBADF (no such fd) or -EINVAL (not a map). */
long bb_fdinfo_read(int fd, struct bb_map_info *info);

#endif
