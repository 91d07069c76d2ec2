/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Caller memory for the accelerated element commands, which must answer
 * without a syscall to be worth having. A checked copy (mem.h) costs a
 * syscall, as much as the kernel's own GET_NEXT_KEY, so each thread keeps a
 * few page ranges that a checked copy or the kernel itself proved readable or
 * writable less than BB_UMEM_TTL_NS ago and copies to and from those
 * directly. Anything else goes through a checked copy, and EFAULT stays
 * EFAULT. What this gives up is documented in docs/acceleration.md: a buffer
 * unmapped (or write-protected) within the TTL of having been used, then
 * passed again, faults in the caller instead of getting EFAULT.
 */
#ifndef BB_ACCEL_MEM_H
#define BB_ACCEL_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 10 ms: the window max age, and long enough for the coarse clock. */
#define BB_UMEM_TTL_NS 10000000ULL

/* Record that [p, p + len) was just read (or written, if @writable)
 * successfully by the kernel on the caller's behalf. */
void bb_umem_note(const void *p, size_t len, bool writable, uint64_t now);
/* (now: bb_clock_now(), accel_clock.h) */

/* 0 or -EFAULT, as bb_mem_read / bb_mem_write, but without a syscall when
 * the range is known good. */
int bb_umem_read(void *dst, const void *usrc, size_t len, uint64_t now);
int bb_umem_write(void *udst, const void *src, size_t len, uint64_t now);

#endif
