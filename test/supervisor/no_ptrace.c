/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * no-ptrace CMD [ARGS...]: run CMD with ptrace() refused (EPERM), as a
 * container runtime's seccomp profile without it does, so that `bpfbatch
 * run --via auto` meets a kernel where ptrace is really not to be had.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (argc < 2 || !ctx ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 0) ||
	    seccomp_load(ctx))
		return 125;
	execvp(argv[1], argv + 1);
	perror("no-ptrace: exec");
	return 127;
}
