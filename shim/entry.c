/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The preload front end: glibc's syscall(), interposed. Only bpf() with a
 * batch command is looked at; everything else goes to the kernel with all
 * six arguments untouched, no allocation, no locks, no libc calls, so it is
 * safe in signal handlers and early start-up. errno is set once, last.
 */
#include <errno.h>
#include <stdarg.h>

#include "dispatch.h"
#include "raw.h"
#include "uapi.h"

__attribute__((visibility("default"))) long syscall(long number, ...);

long syscall(long number, ...)
{
	long a1, a2, a3, a4, a5, a6, r;
	va_list ap;

	/* glibc's syscall() reads six arguments whatever the call takes. */
	va_start(ap, number);
	a1 = va_arg(ap, long);
	a2 = va_arg(ap, long);
	a3 = va_arg(ap, long);
	a4 = va_arg(ap, long);
	a5 = va_arg(ap, long);
	a6 = va_arg(ap, long);
	va_end(ap);

	if (number == __NR_bpf && BB_IS_BATCH_CMD((int)a1))
		r = bb_dispatch_batch((int)a1, (void *)a2, (unsigned int)a3);
	else
		r = bb_raw_syscall(number, a1, a2, a3, a4, a5, a6);

	if ((unsigned long)r > -4096UL) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
