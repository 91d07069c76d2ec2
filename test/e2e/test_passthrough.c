/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Transparency: every syscall the shim does not emulate returns exactly
 * what it returns without the shim (value, errno, errno left alone on
 * success, all six arguments delivered), natively and on a simulated 5.4.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/* Lines the transcript must hold, so two empty or broken runs cannot
 * compare equal. */
static const char *const expected[] = {
	"getpid is self               yes",
	"openat missing               -ENOENT",
	"read bad fd                  -EBADF",
	"  value                      42",
	"  next key                   7",
	"bpf cmd 999                  -EINVAL",
	"bpf lookup_elem fd -1        -EBADF",
	"bpf attr NULL                -EFAULT",
	"bpf size > page              -E2BIG",
	"mmap anon                    <value>",
	"mmap offset 1                -EINVAL",
	"futex bitset 0               -EINVAL",
	"futex bitset any             -EAGAIN",
	"futex wake                   0",
};

static void transcript(const char *kernel, bool preload, struct e2e_out *res)
{
	const char *argv[] = { E2E_PASSTHROUGH, NULL };
	size_t i;

	cr_assert_eq(e2e_run(kernel, preload, argv, res), 0);
	cr_assert_eq(res->status, 0, "passthrough exit %d: %s", res->status, res->err);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		cr_assert(strstr(res->out, expected[i]), "missing '%s' in:\n%s", expected[i],
			  res->out);
	cr_assert_null(strstr(res->out, "errno changed"), "errno touched:\n%s", res->out);
}

static void same_with_and_without_shim(const char *kernel)
{
	static struct e2e_out without, with;

	transcript(kernel, false, &without);
	transcript(kernel, true, &with);
	cr_assert_str_eq(with.out, without.out, "with the shim:\n%s\nwithout:\n%s", with.out,
			 without.out);
	cr_assert_str_eq(with.err, "", "the shim printed: %s", with.err);
}

TestSuite(passthrough, .timeout = 30);

Test(passthrough, native)
{
	same_with_and_without_shim(NULL);
}

Test(passthrough, sim_5_4)
{
	same_with_and_without_shim("5.4");
}

/* Forcing emulation must not change anything that is not a batch command. */
Test(passthrough, native_forced_emulation)
{
	setenv("BPFBATCH_MODE", "emulate", 1);
	same_with_and_without_shim(NULL);
}
