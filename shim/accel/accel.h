/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * BPFBATCH_ACCEL=1: legacy GET_NEXT_KEY / LOOKUP_ELEM / DELETE_ELEM loops
 * made fast without changing them.
 *  - Successor memory: deleting the key GET_NEXT_KEY last returned first
 *    asks the kernel for its successor, so the GET_NEXT_KEY of the deleted
 *    key that follows continues the walk instead of restarting it (which is
 *    what makes delete-while-iterating quadratic on hash maps).
 *  - Prefetch windows: where the kernel has LOOKUP_BATCH for the map type, a
 *    walk that starts with GET_NEXT_KEY(NULL) is read a window at a time,
 *    and the walk's GET_NEXT_KEY and LOOKUP_ELEM calls are answered from it.
 * Writes this process makes to the map, through the walk's fd or another
 * one, update or drop what they touch. docs/acceleration.md states the
 * consistency model.
 */
#ifndef BB_ACCEL_H
#define BB_ACCEL_H

#include <stdbool.h>

#include "platform/uapi.h"

/* Element commands acceleration looks at. */
#define BB_ACCEL_CMD(c)                                                                     \
	((c) == BB_MAP_LOOKUP_ELEM || (c) == BB_MAP_UPDATE_ELEM || (c) == BB_MAP_DELETE_ELEM || \
	 (c) == BB_MAP_GET_NEXT_KEY || (c) == BB_MAP_LOOKUP_AND_DELETE_ELEM)

/* bpf(cmd, uattr, size) for a command other than the batch ones: the
 * kernel's result (>= 0 or -errno), served from memory where the model
 * allows. Commands that hand out an fd end the walks on that number. */
long bb_accel_bpf(int cmd, void *uattr, unsigned int size);

/* Before a batch write (lookup-and-delete, update, delete) on a map: drop
 * what open walks of that map prefetched. */
void bb_accel_before_batch(int cmd, void *uattr, unsigned int size);

#endif
