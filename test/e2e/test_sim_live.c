/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The simulator against the live kernel: `bpfbatch sim` turns exactly the
 * commands newer than the simulated kernel into EINVAL (or bpf() into ENOSYS
 * before 3.18) and leaves every other command to the kernel.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run.h"
#include "sim/sim.h"

/* Outcome line of one bpfcmd run ("err EINVAL", "ok 0", ...). */
static void bpfcmd(const char *kernel, const char *cmd, const char *fd, const char *hi,
		   char *line, size_t len)
{
	const char *argv[8] = { E2E_BPFCMD, cmd };
	struct e2e_out res;
	int n = 2;

	if (fd) {
		argv[n++] = "--fd";
		argv[n++] = fd;
	}
	if (hi) {
		argv[n++] = "--cmd-hi";
		argv[n++] = hi;
	}
	cr_assert_eq(e2e_run(kernel, false, argv, &res), 0);
	cr_assert_eq(res.status, 0, "bpfcmd %s under %s: exit %d: %s", cmd,
		     kernel ? kernel : "native", res.status, res.err);
	n = (int)strcspn(res.out, "\n");
	if ((size_t)n >= len)
		n = (int)len - 1;
	memcpy(line, res.out, (size_t)n);
	line[n] = '\0';
}

static void expect(const char *kernel, const char *cmd, const char *fd, const char *want)
{
	char got[64];

	bpfcmd(kernel, cmd, fd, NULL, got, sizeof(got));
	cr_assert_str_eq(got, want, "cmd %s fd %s under %s: got '%s', want '%s'", cmd,
			 fd ? fd : "-", kernel ? kernel : "native", got, want);
}

/* The filter must not touch cmd under kernel: same answer as natively, and
 * that answer is not EINVAL (else the check proves nothing). */
static void expect_untouched(const char *kernel, const char *cmd, const char *fd)
{
	char native[64], sim[64];

	bpfcmd(NULL, cmd, fd, NULL, native, sizeof(native));
	cr_assert_str_neq(native, "err EINVAL", "cmd %s is EINVAL natively", cmd);
	bpfcmd(kernel, cmd, fd, NULL, sim, sizeof(sim));
	cr_assert_str_eq(sim, native, "cmd %s under %s: got '%s', native '%s'", cmd, kernel,
			 sim, native);
}

TestSuite(sim_live, .timeout = 30);

Test(sim_live, batch_cmds_einval_before_5_6)
{
	static const char *const cmds[] = { "24", "25", "26", "27" };
	size_t i;

	for (i = 0; i < 4; i++) {
		expect(NULL, cmds[i], "-1", "err EBADF");
		expect("5.4", cmds[i], "-1", "err EINVAL");
		expect("5.5.19", cmds[i], "-1", "err EINVAL");
		expect("5.6", cmds[i], "-1", "err EBADF");
	}
}

Test(sim_live, known_cmds_pass_untouched)
{
	expect_untouched("5.4", "23", NULL);      /* BTF_GET_NEXT_ID, 5.4 */
	expect_untouched("5.4", "21", "-1");      /* LOOKUP_AND_DELETE_ELEM */
	expect_untouched("4.14", "15", "-1");     /* OBJ_GET_INFO_BY_FD, 4.13 */
	expect_untouched("4.20", "21", "-1");
	expect_untouched("3.18", "4", "-1");      /* GET_NEXT_KEY */
	expect_untouched("6.18", "24", "-1");
}

Test(sim_live, newer_cmds_einval)
{
	expect("4.14", "16", "-1", "err EINVAL"); /* PROG_QUERY, 4.15 */
	expect("4.15", "16", "-1", "err EBADF");
	expect("4.19", "21", "-1", "err EINVAL"); /* LOOKUP_AND_DELETE_ELEM, 4.20 */
	expect("4.19", "23", NULL, "err EINVAL");
	expect("3.18", "6", NULL, "err EINVAL");  /* OBJ_PIN, 4.4 */
}

Test(sim_live, no_bpf_before_3_18)
{
	expect("3.17", "4", "-1", "err ENOSYS");
	expect("2.6.32", "0", NULL, "err ENOSYS");
}

/* cmd is an int: the upper half of the register is not part of it. */
Test(sim_live, cmd_compared_as_32_bit)
{
	char got[64];

	bpfcmd(NULL, "1", "-1", "0xffffffff", got, sizeof(got));
	cr_assert_str_eq(got, "err EBADF", "native: %s", got);
	bpfcmd("4.14", "1", "-1", "0xffffffff", got, sizeof(got));
	cr_assert_str_eq(got, "err EBADF", "cmd 1 with high bits blocked: %s", got);
	bpfcmd("5.4", "24", "-1", "0x1", got, sizeof(got));
	cr_assert_str_eq(got, "err EINVAL", "cmd 24 with high bits let through: %s", got);
	bpfcmd("5.4", "-1", NULL, NULL, got, sizeof(got));
	cr_assert_str_eq(got, "err EINVAL");
}

Test(sim_live, exports_kernel_version)
{
	const char *argv[] = { "/bin/sh", "-c", "echo \"$BPFBATCH_SIM_KERNEL\"", NULL };
	struct e2e_out res;

	cr_assert_eq(e2e_run("4.14.336", false, argv, &res), 0);
	cr_assert_eq(res.status, 0);
	cr_assert_str_eq(res.out, "4.14\n");
}

/* Run the tool itself; returns its exit status. */
static int tool(const char *a1, const char *a2, const char *a3, const char *a4,
		struct e2e_out *res)
{
	const char *argv[] = { e2e_env("BPFBATCH_TOOL"), a1, a2, a3, a4, NULL };

	cr_assert_eq(e2e_run(NULL, false, argv, res), 0);
	return res->status;
}

Test(sim_live, command_line)
{
	struct e2e_out res;

	cr_assert_eq(tool("sim", "--", "/bin/true", NULL, &res), 2, "no --kernel");
	cr_assert_neq(res.err[0], '\0', "usage error without a message");
	cr_assert_eq(tool("sim", "--kernel", "5.x", "/bin/true", &res), 2);
	cr_assert(strstr(res.err, "5.x"), "message does not name the bad version: %s", res.err);
	cr_assert_eq(tool("sim", "--kernel", "5.4", NULL, &res), 2, "no command");
	cr_assert_eq(tool("sim", "--kernel", "5.4", "/nonexistent/cmd", &res), 127);
	cr_assert_eq(tool("sim", "--kernel=5.4", "/bin/false", NULL, &res), 1,
		     "the command's own exit status");
	cr_assert_eq(tool("frobnicate", NULL, NULL, NULL, &res), 2);
	cr_assert_eq(tool("--help", NULL, NULL, NULL, &res), 0);
	cr_assert(strstr(res.out, "sim"), "help does not list sim");
	cr_assert_eq(tool("version", NULL, NULL, NULL, &res), 0);
	cr_assert(!strncmp(res.out, "bpfbatch ", 9), "version: %s", res.out);
}

static long raw_bpf_fd(int cmd, int fd)
{
	unsigned char attr[56] = { 0 };
	int32_t fd32 = fd;

	memcpy(attr + (cmd >= 24 && cmd <= 27 ? 36 : 0), &fd32, sizeof(fd32));
	return syscall(SYS_bpf, cmd, attr, sizeof(attr)) < 0 ? errno : 0;
}

/* sim_install() in this (Criterion worker) process; filters stack, so a
 * second, older kernel narrows the set further. */
Test(sim_live, install_in_process)
{
	cr_assert_eq(raw_bpf_fd(24, -1), EBADF);
	cr_assert_eq(sim_install(5, 4), 0);
	cr_assert_eq(raw_bpf_fd(24, -1), EINVAL);
	cr_assert_eq(raw_bpf_fd(16, -1), EBADF);
	cr_assert_eq(sim_install(4, 14), 0);
	cr_assert_eq(raw_bpf_fd(16, -1), EINVAL);
	cr_assert_eq(raw_bpf_fd(4, -1), EBADF);
	cr_assert_eq(sim_install(3, 10), 0);
	cr_assert_eq(raw_bpf_fd(4, -1), ENOSYS);
}

/* The syscalls and flags the supervisor takes another path without: what
 * their absence looks like (ENOSYS, EINVAL), and the host's own answer once
 * the simulated kernel has them. */
static int sys_errno(long r)
{
	return r < 0 ? errno : 0;
}

Test(sim_live, syscalls_of_older_kernels)
{
	/* seccomp(SET_MODE_FILTER, NEW_LISTENER | WAIT_KILLABLE_RECV, NULL):
	 * EFAULT where the flags are known, EINVAL where one is not. */
	const unsigned long killable = (1UL << 3) | (1UL << 5);
	int self = (int)getpid();

	cr_assert_eq(sim_install(6, 9), 0);
	cr_assert_eq(sys_errno(syscall(SYS_seccomp, 1, killable, NULL)), EFAULT);
	cr_assert_eq(sys_errno(syscall(SYS_pidfd_getfd, -1, 0, 0)), EBADF);
	cr_assert_eq(sim_install(5, 18), 0);
	cr_assert_eq(sys_errno(syscall(SYS_seccomp, 1, killable, NULL)), EINVAL);
	cr_assert_eq(sys_errno(syscall(SYS_seccomp, 1, 1UL << 3, NULL)), EFAULT);
	cr_assert_eq(sys_errno(syscall(SYS_pidfd_open, self, 0x80 /* PIDFD_THREAD */)), EINVAL);
	cr_assert_eq(sim_install(5, 5), 0);
	cr_assert_eq(sys_errno(syscall(SYS_pidfd_getfd, -1, 0, 0)), ENOSYS);
	cr_assert_geq(syscall(SYS_pidfd_open, self, 0), 0, "pidfd_open is 5.3's");
	cr_assert_eq(sim_install(5, 2), 0);
	cr_assert_eq(sys_errno(syscall(SYS_pidfd_open, self, 0)), ENOSYS);
}
