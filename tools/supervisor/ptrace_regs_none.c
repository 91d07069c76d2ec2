/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Architectures whose syscall registers the ptrace front end does not know
 * yet: it is unavailable there (`bpfbatch run` uses user notification).
 */
#include "supervisor/ptrace_regs.h"

#include <errno.h>

bool pr_supported(void)
{
	return false;
}

int pr_get(pid_t tid, struct pr_regs *r)
{
	return -EOPNOTSUPP;
}

int pr_set(pid_t tid, const struct pr_regs *r)
{
	return -EOPNOTSUPP;
}

uint64_t pr_arg(const struct pr_regs *r, int i)
{
	return 0;
}

bool pr_native(const struct pr_regs *r)
{
	return false;
}

void pr_skip(struct pr_regs *r, long ret)
{
}

void pr_redo(struct pr_regs *r, long nr, const uint64_t a[6])
{
}

long pr_nr(const struct pr_regs *r)
{
	return -1;
}

long pr_ret(const struct pr_regs *r)
{
	return -EOPNOTSUPP;
}

void pr_restore(struct pr_regs *r, const struct pr_regs *saved, long ret)
{
}
