/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Copies to and from caller-supplied memory that may be unmapped. The shim
 * runs inside the caller's process, so a plain memcpy from a bad pointer would
 * crash the host program where the kernel answers EFAULT; these go through
 * process_vm_readv/writev on ourselves, which fail with EFAULT instead.
 */
#ifndef BB_MEM_H
#define BB_MEM_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -EFAULT if any byte of either range is not accessible. */
int bb_mem_read(void *dst, const void *src, size_t len);
int bb_mem_write(void *dst, const void *src, size_t len);

/* 0 if every page of [p, p + len) can be written, else -EFAULT. Touches one
 * byte per page (read, written back unchanged): for commands that must not
 * start what they cannot finish, e.g. deleting elements whose values would
 * then have nowhere to go. */
int bb_mem_writable(void *p, size_t len);

/* How many bytes from @p on can be written, up to @len: the same check,
 * stopping at the first page that fails (page-exact, as faults are). Where
 * it cannot tell (no process_vm_*), @len. */
size_t bb_mem_writable_prefix(void *p, size_t len);

/* Of @n elements in two parallel arrays (@a of @as bytes each, @b of @bs),
 * how many leading ones can be written in both: e.g. the keys and values a
 * lookup-and-delete may have to hand back before it deletes anything. */
uint32_t bb_mem_writable_pairs(void *a, size_t as, void *b, size_t bs, uint32_t n);

/*
 * @n elements of @size bytes between a buffer of ours and caller memory,
 * element by element as the kernel's own loops copy them: returns how many
 * whole elements were copied before the first inaccessible byte (0..n; the
 * bytes of a partly copied element may have landed), or -ENOSYS where
 * process_vm_* cannot be used (seccomp, no CONFIG_CROSS_MEMORY_ATTACH), in
 * which case nothing was copied and no answer can be given.
 */
long bb_mem_read_elems(void *dst, const void *usrc, size_t size, uint32_t n);
long bb_mem_write_elems(void *udst, const void *src, size_t size, uint32_t n);

/* Two ranges in one syscall, the first before the second: 0 if both were
 * copied whole; -EFAULT or -ENOSYS otherwise, and then any prefix may have
 * been copied (copy them again the careful way to know how much). */
int bb_mem_write2(void *udst1, const void *src1, size_t len1, void *udst2, const void *src2,
		  size_t len2);
int bb_mem_read2(void *dst1, const void *usrc1, size_t len1, void *dst2, const void *usrc2,
		 size_t len2);

#endif
