/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "platform/raw_syscall.h"
#include "platform/state.h"

bool bb_log_enabled(void)
{
	return bb_state_log();
}

void bb_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n, saved_errno;

	if (!bb_state_log())
		return;
	/* The formatting is libc's and may set errno; the caller's stays. */
	saved_errno = errno;
	n = snprintf(line, sizeof(line), "bpfbatch: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	bb_raw_syscall(SYS_write, 2, (long)line, n, 0, 0, 0);
	errno = saved_errno;
}
