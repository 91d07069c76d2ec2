/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Access to a target's memory: process_vm_readv/writev on the trapped
 * thread. Every target pointer is untrusted, so each transfer reports
 * exactly how much of it got through; the caller turns a short transfer
 * into the EFAULT the kernel would have given the target. Used by every
 * front end that serves another process (user notification, ptrace) and
 * by the simulator, which reads the calls it judges.
 */
#ifndef BPFBATCH_TARGET_MEM_H
#define BPFBATCH_TARGET_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One contiguous range: @len bytes between @local and the target's @remote. */
struct tm_span {
	void *local;
	uint64_t remote;
	size_t len;
	size_t done; /* out: bytes transferred, always a prefix of the range */
};

/*
 * Read every span, each as far as the target's memory allows (the readable
 * prefix, to the byte). One syscall when everything is readable.
 * Returns 0 when all spans are complete, 1 when some are short, or -errno
 * when the target cannot be read at all (-ESRCH: it is gone).
 */
int tm_read(pid_t pid, struct tm_span *s, unsigned int n);

/*
 * Write the spans in order and stop at the first one that does not go
 * through completely, as the kernel's own copy-outs would. One syscall.
 * Returns the number of complete spans (n when all went through), or
 * -errno when the target cannot be written at all (-ESRCH: it is gone).
 */
int tm_write(pid_t pid, struct tm_span *s, unsigned int n);

/*
 * Set each span's done to how much of its target range, from the start, can
 * be written (to the page: a copy-out stops at the first page it cannot
 * write), without changing it: one byte per page is read and written back
 * as it was. A target thread storing to that very byte in between loses its
 * store, so only buffers the call is about to write are probed (the shim's
 * own check, bb_mem_writable, works the same way). @local is not used.
 * Returns 0, or -errno when the target cannot be reached (-ESRCH: gone).
 */
int tm_writable(pid_t pid, struct tm_span *s, unsigned int n);

#endif
