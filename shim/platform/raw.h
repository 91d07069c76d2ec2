/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpf() through the shim's private path (platform/raw_syscall.h), counted
 * for BPFBATCH_STATS. Results are the kernel's: >= 0, or -errno.
 */
#ifndef BB_RAW_H
#define BB_RAW_H

#include <stdint.h>

#include "platform/raw_syscall.h"

/* bpf(cmd, attr, size) through the raw path. */
long bb_raw_bpf(int cmd, void *attr, unsigned int size);

/*
 * Asked before each bpf() of the raw path: 0 lets the call through, a
 * -errno is its answer instead. Only the bpfbatch tool sets one, to act as
 * an older kernel whose per-type rules no seccomp filter can express
 * (`run --kernel X.Y`); the libraries never do. Set before any call.
 */
typedef long (*bb_raw_judge_fn)(int cmd, void *attr, unsigned int size);
void bb_raw_set_judge(bb_raw_judge_fn judge);

/* Per-element map commands; pointers are passed to the kernel as they are. */
long bb_raw_map_lookup(int fd, const void *key, void *value, uint64_t flags);
long bb_raw_map_update(int fd, const void *key, const void *value, uint64_t flags);
long bb_raw_map_delete(int fd, const void *key);
long bb_raw_map_get_next_key(int fd, const void *key, void *next_key);
long bb_raw_map_lookup_and_delete(int fd, const void *key, void *value, uint64_t flags);

struct bb_map_info;
/* OBJ_GET_INFO_BY_FD into @info (zeroed first). */
long bb_raw_map_info(int fd, struct bb_map_info *info);

#endif
