/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Map facts the emulation needs, fetched per call from the kernel (fd numbers
 * are reused, so nothing is cached by fd); what follows from the map's type
 * comes from core/maptypes.h.
 */
#ifndef BB_MAPINFO_H
#define BB_MAPINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/maptypes.h"
#include "platform/uapi.h"

struct bb_map {
	int fd;
	struct bb_map_info info; /* the kernel's facts */
	uint32_t value_stride;   /* bytes per element in batch value buffers */
	enum bb_family family;
};

/* Fill @m from OBJ_GET_INFO_BY_FD. Returns 0 or the kernel's -errno. */
long bb_map_get(int fd, struct bb_map *m);

/* The hash table's bucket count: the kernel's end-of-walk token value. */
uint32_t bb_map_n_buckets(const struct bb_map *m);

#endif
