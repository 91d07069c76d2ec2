/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "mem.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "raw.h"

static int vm_copy(long nr, void *local, void *remote, size_t len)
{
	struct iovec l = { .iov_base = local, .iov_len = len };
	struct iovec r = { .iov_base = remote, .iov_len = len };
	long pid, n;

	if (len == 0)
		return 0;
	pid = bb_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	n = bb_raw_syscall(nr, pid, (long)&l, 1, (long)&r, 1, 0);
	if (n == (long)len)
		return 0;
	if (n == -ENOSYS || n == -EPERM)
		return 1; /* no process_vm_* here (seccomp, very old kernel) */
	return -EFAULT;
}

int bb_mem_read(void *dst, const void *src, size_t len)
{
	int r = vm_copy(SYS_process_vm_readv, dst, (void *)src, len);

	if (r > 0) { /* best effort where the kernel cannot check for us */
		memcpy(dst, src, len);
		r = 0;
	}
	return r;
}

int bb_mem_write(void *dst, const void *src, size_t len)
{
	int r = vm_copy(SYS_process_vm_writev, (void *)src, dst, len);

	if (r > 0) {
		memcpy(dst, src, len);
		r = 0;
	}
	return r;
}

int bb_mem_writable(void *p, size_t len)
{
	enum { PAGE = 4096, BATCH = 256 };
	struct iovec local[BATCH], remote[BATCH];
	unsigned char bytes[BATCH];
	uintptr_t a = (uintptr_t)p, end = a + len;
	long pid;

	if (len == 0)
		return 0;
	if (end < a)
		return -EFAULT;
	pid = bb_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	while (a < end) {
		int n = 0;
		long r;

		/* The first byte, then the first byte of each following page. */
		for (; a < end && n < BATCH; n++) {
			local[n] = (struct iovec){ &bytes[n], 1 };
			remote[n] = (struct iovec){ (void *)a, 1 };
			a = (a & ~(uintptr_t)(PAGE - 1)) + PAGE;
		}
		r = bb_raw_syscall(SYS_process_vm_readv, pid, (long)local, n, (long)remote, n, 0);
		if (r == -ENOSYS || r == -EPERM)
			return 0; /* cannot tell: let the command find out */
		if (r != n)
			return -EFAULT;
		r = bb_raw_syscall(SYS_process_vm_writev, pid, (long)local, n, (long)remote, n, 0);
		if (r != n)
			return -EFAULT;
	}
	return 0;
}
