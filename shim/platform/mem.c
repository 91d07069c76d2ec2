/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/mem.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "platform/raw_syscall.h"

/*
 * Our pid for process_vm_*, without a getpid() per copy: it is kept in a page
 * the kernel wipes in the child of a fork (MADV_WIPEONFORK, 4.14+), so a
 * child never uses its parent's pid; a vfork child shares our memory, and the
 * parent's pid names that same memory. Where the page cannot be had, or the
 * kept pid has gone (ESRCH: e.g. set by a CLONE_VM child that exited), the
 * pid is asked for again.
 */
static _Atomic(long *) pid_page;

static long *pid_slot(void)
{
	long *p = atomic_load_explicit(&pid_page, memory_order_acquire), *none = NULL;
	long m;

	if (p)
		return p == (long *)-1 ? NULL : p;
	m = bb_raw_syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m < 0 && m > -4096)
		p = (long *)-1;
	else if (bb_raw_syscall(SYS_madvise, m, 4096, MADV_WIPEONFORK, 0, 0, 0) < 0) {
		bb_raw_syscall(SYS_munmap, m, 4096, 0, 0, 0, 0);
		p = (long *)-1;
	} else {
		p = (long *)m;
	}
	if (!atomic_compare_exchange_strong(&pid_page, &none, p)) {
		if (p != (long *)-1)
			bb_raw_syscall(SYS_munmap, (long)p, 4096, 0, 0, 0, 0);
		p = atomic_load(&pid_page); /* another thread's */
	}
	return p == (long *)-1 ? NULL : p;
}

/* The page is read-only but while the pid is written: a caller's stray
 * pointer that happens to land on it gets EFAULT, and can never make us copy
 * to or from another process. */
static atomic_flag pid_writing = ATOMIC_FLAG_INIT;

static long self_pid(bool fresh)
{
	_Atomic long *slot = (_Atomic long *)pid_slot();
	long pid = slot && !fresh ? atomic_load_explicit(slot, memory_order_relaxed) : 0;

	if (!pid) {
		pid = bb_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
		if (slot && !atomic_flag_test_and_set(&pid_writing)) {
			bb_raw_syscall(SYS_mprotect, (long)slot, 4096, PROT_READ | PROT_WRITE, 0, 0, 0);
			atomic_store_explicit(slot, pid, memory_order_relaxed);
			bb_raw_syscall(SYS_mprotect, (long)slot, 4096, PROT_READ, 0, 0, 0);
			atomic_flag_clear(&pid_writing);
		}
	}
	return pid;
}

static int vm_copy(long nr, void *local, void *remote, size_t len)
{
	struct iovec l = { .iov_base = local, .iov_len = len };
	struct iovec r = { .iov_base = remote, .iov_len = len };
	long n;

	if (len == 0)
		return 0;
	n = bb_raw_syscall(nr, self_pid(false), (long)&l, 1, (long)&r, 1, 0);
	if (n == -ESRCH)
		n = bb_raw_syscall(nr, self_pid(true), (long)&l, 1, (long)&r, 1, 0);
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

size_t bb_mem_writable_prefix(void *p, size_t len)
{
	enum { PAGE = 4096, BATCH = 256 };
	struct iovec local[BATCH], remote[BATCH];
	unsigned char bytes[BATCH];
	uintptr_t start = (uintptr_t)p, a = start, end = a + len;
	long pid;

	if (len == 0)
		return 0;
	if (end < a)
		end = UINTPTR_MAX;
	pid = self_pid(false);
	while (a < end) {
		uintptr_t page[BATCH];
		int n = 0;
		long r, w;

		/* The first byte, then the first byte of each following page;
		 * a transfer stops at the first iovec that faults. */
		for (; a < end && n < BATCH; n++) {
			page[n] = a;
			local[n] = (struct iovec){ &bytes[n], 1 };
			remote[n] = (struct iovec){ (void *)a, 1 };
			a = (a & ~(uintptr_t)(PAGE - 1)) + PAGE;
		}
		r = bb_raw_syscall(SYS_process_vm_readv, pid, (long)local, n, (long)remote, n, 0);
		if (r == -ESRCH) {
			pid = self_pid(true);
			r = bb_raw_syscall(SYS_process_vm_readv, pid, (long)local, n, (long)remote,
					   n, 0);
		}
		if (r == -ENOSYS || r == -EPERM)
			return len; /* cannot tell: let the command find out */
		if (r < 0)
			r = 0;
		w = r ? bb_raw_syscall(SYS_process_vm_writev, pid, (long)local, r, (long)remote, r,
				       0) : 0;
		if (w < 0)
			w = 0;
		if (w < n)
			return page[w] - start;
	}
	return len;
}

uint32_t bb_mem_writable_pairs(void *a, size_t as, void *b, size_t bs, uint32_t n)
{
	size_t ka, kb;

	if (!as || !bs)
		return n;
	ka = bb_mem_writable_prefix(a, as * n) / as;
	kb = bb_mem_writable_prefix(b, bs * n) / bs;
	return (uint32_t)(ka < kb ? ka : kb);
}

int bb_mem_writable(void *p, size_t len)
{
	return bb_mem_writable_prefix(p, len) == len ? 0 : -EFAULT;
}

/* The whole range in one piece (the common case), 0/-ENOSYS/-EFAULT. */
static long vm_copy_whole(long nr, void *local, void *remote, size_t len)
{
	struct iovec l = { local, len }, r = { remote, len };
	long got = bb_raw_syscall(nr, self_pid(false), (long)&l, 1, (long)&r, 1, 0);

	if (got == -ESRCH)
		got = bb_raw_syscall(nr, self_pid(true), (long)&l, 1, (long)&r, 1, 0);
	if (got == (long)len)
		return 0;
	return got == -ENOSYS || got == -EPERM ? -ENOSYS : -EFAULT;
}

/*
 * Short of the whole: one remote iovec per element (at most BATCH a call),
 * so that a transfer the kernel cuts short at an iovec boundary and one it
 * cuts at a page both come out as a count of whole elements.
 */
static long vm_copy_elems(long nr, void *local, void *remote, size_t size, uint32_t n)
{
	enum { BATCH = 256 };
	struct iovec l, r[BATCH];
	uint32_t done = 0;
	long whole;

	if (size == 0 || n == 0)
		return n;
	whole = vm_copy_whole(nr, local, remote, size * n);
	if (whole == 0 || whole == -ENOSYS)
		return whole ? whole : (long)n;
	while (done < n) {
		uint32_t k = n - done < BATCH ? n - done : BATCH;
		long got;

		l = (struct iovec){ (char *)local + (size_t)done * size, (size_t)k * size };
		for (uint32_t i = 0; i < k; i++)
			r[i] = (struct iovec){ (char *)remote + (size_t)(done + i) * size, size };
		got = bb_raw_syscall(nr, self_pid(false), (long)&l, 1, (long)r, k, 0);
		if (got < 0)
			return done;
		done += (uint32_t)((size_t)got / size);
		if ((size_t)got < (size_t)k * size)
			return done;
	}
	return done;
}

/* @local and @remote: two iovecs each, in the order they are to be copied. */
static int vm_copy2(long nr, struct iovec *local, struct iovec *remote)
{
	long got = bb_raw_syscall(nr, self_pid(false), (long)local, 2, (long)remote, 2, 0);

	if (got == -ESRCH)
		got = bb_raw_syscall(nr, self_pid(true), (long)local, 2, (long)remote, 2, 0);
	if (got == (long)(local[0].iov_len + local[1].iov_len))
		return 0;
	return got == -ENOSYS || got == -EPERM ? -ENOSYS : -EFAULT;
}

int bb_mem_write2(void *udst1, const void *src1, size_t len1, void *udst2, const void *src2,
		  size_t len2)
{
	struct iovec l[2] = { { (void *)src1, len1 }, { (void *)src2, len2 } };
	struct iovec r[2] = { { udst1, len1 }, { udst2, len2 } };

	return vm_copy2(SYS_process_vm_writev, l, r);
}

int bb_mem_read2(void *dst1, const void *usrc1, size_t len1, void *dst2, const void *usrc2,
		 size_t len2)
{
	struct iovec l[2] = { { dst1, len1 }, { dst2, len2 } };
	struct iovec r[2] = { { (void *)usrc1, len1 }, { (void *)usrc2, len2 } };

	return vm_copy2(SYS_process_vm_readv, l, r);
}

long bb_mem_read_elems(void *dst, const void *usrc, size_t size, uint32_t n)
{
	return vm_copy_elems(SYS_process_vm_readv, dst, (void *)usrc, size, n);
}

long bb_mem_write_elems(void *udst, const void *src, size_t size, uint32_t n)
{
	return vm_copy_elems(SYS_process_vm_writev, (void *)src, udst, size, n);
}
