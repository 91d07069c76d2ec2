/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * x86-64: the syscall number in orig_rax (rax is -ENOSYS at entry, then the
 * result), arguments in rdi, rsi, rdx, r10, r8, r9; 32-bit compat calls
 * (cs 0x23) take ebx, ecx, edx, esi, edi, ebp. Writing orig_rax = -1 at a
 * seccomp stop skips the call with rax as its result; this holds on both
 * sides of 4.8, which moved the seccomp stop after the syscall-enter stop.
 * Both syscall instructions (syscall, int $0x80) are 2 bytes long.
 */
#include "supervisor/ptrace_regs.h"

#include <errno.h>
#include <sys/ptrace.h>

#define COMPAT_CS 0x23
#define X32_BIT 0x40000000L
#define INSN_LEN 2

bool pr_supported(void)
{
	return true;
}

int pr_get(pid_t tid, struct pr_regs *r)
{
	return ptrace(PTRACE_GETREGS, tid, 0, &r->r) < 0 ? -errno : 0;
}

int pr_set(pid_t tid, const struct pr_regs *r)
{
	return ptrace(PTRACE_SETREGS, tid, 0, &r->r) < 0 ? -errno : 0;
}

uint64_t pr_arg(const struct pr_regs *r, int i)
{
	const struct user_regs_struct *x = &r->r;
	const unsigned long long native[6] = { x->rdi, x->rsi, x->rdx, x->r10, x->r8, x->r9 };
	const unsigned long long compat[6] = { x->rbx, x->rcx, x->rdx, x->rsi, x->rdi, x->rbp };

	if (i < 0 || i > 5)
		return 0;
	if (x->cs == COMPAT_CS)
		return (uint32_t)compat[i];
	/* x32 passes 32-bit pointers zero-extended, like native */
	return native[i];
}

bool pr_native(const struct pr_regs *r)
{
	return r->r.cs != COMPAT_CS && !((long)r->r.orig_rax & X32_BIT);
}

void pr_skip(struct pr_regs *r, long ret)
{
	r->r.orig_rax = (unsigned long long)-1L;
	r->r.rax = (unsigned long long)ret;
}

void pr_redo(struct pr_regs *r, long nr, const uint64_t a[6])
{
	r->r.rip -= INSN_LEN;
	r->r.rax = (unsigned long long)nr;
	r->r.orig_rax = (unsigned long long)nr;
	r->r.rdi = a[0];
	r->r.rsi = a[1];
	r->r.rdx = a[2];
	r->r.r10 = a[3];
	r->r.r8 = a[4];
	r->r.r9 = a[5];
}

long pr_nr(const struct pr_regs *r)
{
	return (long)r->r.orig_rax;
}

long pr_ret(const struct pr_regs *r)
{
	return (long)r->r.rax;
}

void pr_restore(struct pr_regs *r, const struct pr_regs *saved, long ret)
{
	*r = *saved;
	/* No syscall to restart: the result stands, whatever signal comes. */
	r->r.orig_rax = (unsigned long long)-1L;
	r->r.rax = (unsigned long long)ret;
}
