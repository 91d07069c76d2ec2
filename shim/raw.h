/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The shim's private path to the kernel: the syscall instruction itself, so
 * that nothing the shim does can re-enter the interposed syscall() and errno
 * is never touched. Results are the kernel's: >= 0, or -errno.
 */
#ifndef BB_RAW_H
#define BB_RAW_H

#include <stdint.h>

long bb_raw_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* bpf(cmd, attr, size) through the raw path. */
long bb_raw_bpf(int cmd, void *attr, unsigned int size);

/* Per-element map commands; pointers are passed to the kernel as they are. */
long bb_raw_map_lookup(int fd, const void *key, void *value, uint64_t flags);
long bb_raw_map_update(int fd, const void *key, const void *value, uint64_t flags);
long bb_raw_map_delete(int fd, const void *key);
long bb_raw_map_get_next_key(int fd, const void *key, void *next_key);
long bb_raw_map_lookup_and_delete(int fd, const void *key, void *value, uint64_t flags);

#endif
