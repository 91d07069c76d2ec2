/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The preload front end: glibc's syscall(), interposed. Only bpf() with a
 * batch command is looked at; everything else goes to the kernel with all
 * six arguments untouched, no allocation, no locks, no libc calls, so it is
 * safe in signal handlers and early start-up. errno is set once, last.
 */
#include <errno.h>

#include "accel/accel.h"
#include "accel/accel_config.h"
#include "core/dispatch.h"
#include "platform/raw_syscall.h"
#include "platform/uapi.h"

/*
 * Declared with its six arguments rather than "...": on the ABIs this builds
 * for (x86-64, AArch64 Linux) integer arguments of a variadic call travel in
 * the same registers, and glibc's own syscall() reads six of them whatever
 * the call takes. This skips spilling them to a va_list on every call.
 * (<unistd.h>, which declares it variadic, is not included here.)
 */
__attribute__((visibility("default"))) long syscall(long number, long a1, long a2, long a3,
						     long a4, long a5, long a6);

long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long r;

	if (number == __NR_bpf && BB_IS_BATCH_CMD((int)a1)) {
		if (bb_accel_enabled())
			bb_accel_before_batch((int)a1, (void *)a2, (unsigned int)a3);
		r = bb_dispatch_batch((int)a1, (void *)a2, (unsigned int)a3);
	} else if (number == __NR_bpf && bb_accel_enabled()) {
		r = bb_accel_bpf((int)a1, (void *)a2, (unsigned int)a3);
	} else {
		r = bb_raw_syscall(number, a1, a2, a3, a4, a5, a6);
	}

	if ((unsigned long)r > -4096UL) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
