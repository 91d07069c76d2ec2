/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the running kernel can do, asked of the kernel itself (never decided
 * by version number: distribution kernels backport). Each feature is probed
 * once, or learnt from its first real use, and remembered in platform/state.
 */
#ifndef BB_KPROBE_H
#define BB_KPROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/state.h"

/* Returned where the kernel lacks the probed command: the caller does
 * without it (positive, so never a kernel result). */
#define BB_KPROBE_LACKS 1

/* Does the kernel know the batch commands (5.6+)? */
bool bb_kprobe_batch_cmds(void);

/* Does the kernel know OBJ_GET_INFO_BY_FD (4.13+)? Else map facts come from
 * fdinfo. */
bool bb_kprobe_obj_info(void);

/* The kernel's own answer to batch @cmd on the map @fd names, asked with
 * count 0 and no buffers, which changes nothing: 0 where it serves the
 * command for the map's type, -524 where the type lacks it, -EINVAL before
 * 5.6. Not remembered: the answer is the map's. */
long bb_kprobe_batch_op(int fd, int cmd);

/* GET_NEXT_KEY with a NULL key (4.12+) into @next, the probe being the
 * first real use: while bb_kprobe_next_key_null_known() is unknown, @next
 * must be a buffer of the caller's own, so that EFAULT can only mean "not on
 * this kernel". The kernel's answer, or BB_KPROBE_LACKS. */
long bb_kprobe_next_key_null(int fd, void *next);
enum bb_tri bb_kprobe_next_key_null_known(void);

/* MAP_LOOKUP_AND_DELETE_ELEM on a map of @type, the probe being the first
 * real use for the type (hash maps: 5.14+; where the type lacks it the
 * kernel changes nothing). The kernel's answer, or BB_KPROBE_LACKS. */
long bb_kprobe_lookup_and_delete_elem(int fd, uint32_t type, const void *key, void *value,
				      uint64_t flags);

#endif
