/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What a client's feature probe sees: a batch command on a bad fd answers
 * EBADF on a kernel that knows the command and EINVAL on one that does not
 * (semantics.md §8). With the shim, a simulated old kernel must look like a
 * new one: EBADF again, and EINVAL for a fd that is not a map.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "run.h"

static void outcome(const char *kernel, bool preload, const char *cmd, const char *fd,
		    char *line, size_t len)
{
	const char *argv[] = { E2E_BPFCMD, cmd, "--fd", fd, NULL };
	struct e2e_out res;
	size_t n;

	cr_assert_eq(e2e_run(kernel, preload, argv, &res), 0);
	cr_assert_eq(res.status, 0, "bpfcmd exit %d: %s", res.status, res.err);
	n = strcspn(res.out, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(line, res.out, n);
	line[n] = '\0';
}

static void check(const char *kernel, bool preload, const char *cmd, const char *fd,
		  const char *want)
{
	char got[64];

	outcome(kernel, preload, cmd, fd, got, sizeof(got));
	cr_expect_str_eq(got, want, "cmd %s fd %s on %s %s: got '%s', want '%s'", cmd, fd,
			 kernel ? kernel : "host", preload ? "with shim" : "without shim", got,
			 want);
}

TestSuite(probe, .timeout = 60);

Test(probe, bad_fd)
{
	static const char *const cmds[] = { "24", "25", "26", "27" };
	static const char *const fds[] = { "-1", "1000", "0x7fffffff" };
	size_t i, j;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < 3; j++) {
			check(NULL, false, cmds[i], fds[j], "err EBADF");
			check(NULL, true, cmds[i], fds[j], "err EBADF");
			check("5.4", false, cmds[i], fds[j], "err EINVAL");
			check("5.4", true, cmds[i], fds[j], "err EBADF");
			check("4.14", true, cmds[i], fds[j], "err EBADF");
		}
	}
}

/* fd 2 is a pipe here (e2e_run captures stderr): open, but not a map. */
Test(probe, not_a_map)
{
	static const char *const cmds[] = { "24", "25", "26", "27" };
	size_t i;

	for (i = 0; i < 4; i++) {
		check(NULL, false, cmds[i], "2", "err EINVAL");
		check("5.4", true, cmds[i], "2", "err EINVAL");
		check("4.14", true, cmds[i], "2", "err EINVAL");
	}
}
