/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Map facts the emulation needs, fetched per call from the kernel (fd numbers
 * are reused, so nothing is cached by fd), and the per-type table of what the
 * newest kernel's batch commands do for each map type.
 */
#ifndef BB_MAPINFO_H
#define BB_MAPINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/uapi.h"

/* How a type's batch lookup walks the map. */
enum bb_family {
	BB_FAM_NONE = 0, /* not emulated: the kernel's answer stands */
	BB_FAM_HASH,     /* keys can vanish; 4-byte token naming a cursor, htab's contract */
	BB_FAM_ARRAY,    /* array-like: token is the last index, stateless */
	BB_FAM_TRIE,     /* keys can vanish; key_size token (the last key), generic contract */
};

struct bb_map {
	int fd;
	struct bb_map_info info; /* the kernel's facts */
	uint32_t value_stride;   /* bytes per element in batch value buffers */
	enum bb_family family;
};

/* Fill @m from OBJ_GET_INFO_BY_FD. Returns 0 or the kernel's -errno. */
long bb_map_get(int fd, struct bb_map *m);

/* A known type that no kernel batches (queues, ring buffers, ...)? */
bool bb_map_type_unbatchable(uint32_t type);

/* Does the newest kernel implement batch @cmd for this type (else ENOTSUPP)? */
bool bb_map_has_batch_op(const struct bb_map *m, int cmd);

/* The hash table's bucket count: the kernel's end-of-walk token value. */
uint32_t bb_map_n_buckets(const struct bb_map *m);

#endif
