/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The simulator is faithful where the command number does not decide: per
 * map type (batch on LPM before 5.13, map-in-map before 5.19, hash
 * LOOKUP_AND_DELETE_ELEM before 5.14, LPM GET_NEXT_KEY before 4.16) and per
 * argument (GET_NEXT_KEY NULL before 4.12). And the shim, under it, falls
 * back per map type without losing the native path for the others.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static void expect(const char *kernel, const char *check, const char *want)
{
	const char *argv[] = { E2E_KERNELCHECK, check, NULL };
	struct e2e_out o;

	cr_assert_eq(e2e_run(kernel, false, argv, &o), 0);
	cr_assert_str_eq(o.out, want, "%s on %s: got '%s' (stderr '%s')", check,
			 kernel ? kernel : "this kernel", o.out, o.err);
}

Test(sim_faithful, batch_per_map_type, .timeout = 60)
{
	expect(NULL, "lpm-batch", "errno 0\n");
	expect("5.13", "lpm-batch", "errno 0\n");
	expect("5.10", "lpm-batch", "errno 524\n");
	expect("5.4", "lpm-batch", "errno 22\n");
	expect(NULL, "aom-batch", "errno 0\n");
	expect("5.19", "aom-batch", "errno 0\n");
	expect("5.15", "aom-batch", "errno 524\n");
	expect(NULL, "hom-batch", "errno 0\n");
	expect("5.19", "hom-batch", "errno 0\n");
	expect("5.15", "hom-batch", "errno 524\n");
}

Test(sim_faithful, lookup_and_delete_elem_on_hash, .timeout = 60)
{
	expect(NULL, "hash-lookup-and-delete-elem", "errno 2\n");
	expect("5.14", "hash-lookup-and-delete-elem", "errno 2\n");
	expect("5.4", "hash-lookup-and-delete-elem", "errno 524\n");
	expect("4.19", "hash-lookup-and-delete-elem", "errno 22\n");
}

Test(sim_faithful, get_next_key, .timeout = 60)
{
	expect("4.12", "get-next-key-null", "errno 2\n");
	expect("4.11", "get-next-key-null", "errno 14\n");
	expect("4.16", "lpm-get-next-key", "errno 2\n");
	expect("4.15", "lpm-get-next-key", "errno 524\n");
}

Test(sim_faithful, element_flags_before_5_1, .timeout = 60)
{
	/* The rule itself: BPF_F_LOCK on a value with a spin lock works from
	 * 5.1; before, LOOKUP_ELEM has no flags field and UPDATE_ELEM knows
	 * only BPF_EXIST/BPF_NOEXIST. */
	expect(NULL, "lookup-elem-lock", "errno 0\n");
	expect("5.1", "lookup-elem-lock", "errno 0\n");
	expect("5.0", "lookup-elem-lock", "errno 22\n");
	expect("5.1", "update-elem-lock", "errno 0\n");
	expect("5.0", "update-elem-lock", "errno 22\n");
	/* No spin lock in the value: EINVAL either way, from different checks
	 * (this alone would pass without the rule). */
	expect("5.1", "lookup-elem-flags", "errno 22\n");
	expect("5.0", "lookup-elem-flags", "errno 22\n");
	/* UPDATE_ELEM always had its flags: BPF_NOEXIST and BPF_EXIST work
	 * on every kernel, only BPF_F_LOCK is new. */
	expect("4.9", "update-elem-noexist", "errno 0\n");
	expect("5.0", "update-elem-noexist", "errno 0\n");
}

static void mixed(const char *kernel, bool want_native, bool want_emulated)
{
	const char *argv[] = { E2E_KERNELCHECK, "mixed", NULL };
	struct e2e_out o;
	unsigned long native = 0, emulated = 0;
	const char *s;

	setenv("BPFBATCH_STATS", "1", 1);
	cr_assert_eq(e2e_run(kernel, true, argv, &o), 0);
	unsetenv("BPFBATCH_STATS");
	cr_assert_str_eq(o.out, "ok\n", "on %s: %s / %s", kernel, o.out, o.err);
	s = strstr(o.err, "bpfbatch: native ");
	cr_assert_not_null(s, "stats line in '%s'", o.err);
	cr_assert_eq(sscanf(s, "bpfbatch: native %lu calls, emulated %lu calls", &native,
			    &emulated), 2);
	cr_assert_eq(native > 0, want_native, "%s: native calls %lu", kernel, native);
	cr_assert_eq(emulated > 0, want_emulated, "%s: emulated calls %lu", kernel, emulated);
}

Test(sim_faithful, shim_falls_back_per_map_type, .timeout = 120)
{
	mixed("5.10", true, true); /* hash native, LPM emulated */
	mixed("5.13", true, false);
	mixed("5.4", false, true);
	mixed("4.16", false, true); /* fdinfo for map facts */
}

Test(sim_faithful, shim_without_get_next_key_null, .timeout = 120)
{
	const char *argv[] = { E2E_DEMO, "--entries", "2000", "--batch", "64", NULL };
	struct e2e_out o;

	/* The premise, without which the shim's success below proves nothing:
	 * the simulated 4.11 refuses a NULL key. */
	expect("4.11", "get-next-key-null", "errno 14\n");
	cr_assert_eq(e2e_run("4.11", true, argv, &o), 0);
	cr_assert_eq(o.status, 0, "demo on 4.11: %s / %s", o.out, o.err);
	/* (It fails for want of batch commands, whatever GET_NEXT_KEY does.) */
	cr_assert_eq(e2e_run("4.11", false, argv, &o), 0);
	cr_assert_neq(o.status, 0, "without the shim the demo must fail on 4.11");
}

/*
 * `bpfbatch run --kernel X.Y` meets the same rules, through the same code:
 * the target's element commands reach the supervisor's listener, which
 * judges them as the simulator does, and the supervisor's own calls run
 * under the simulator, so a map type X.Y does not batch is emulated for the
 * target (where `sim` alone answers 524).
 */
static void expect_run(const char *kernel, const char *check, const char *env,
		       const char *want_out, const char *want_err)
{
	const char *argv[] = { e2e_env("BPFBATCH_TOOL"), "run", "--kernel", kernel, "--",
			       E2E_KERNELCHECK, check, NULL };
	struct e2e_out o;

	if (env)
		putenv((char *)env);
	cr_assert_eq(e2e_run(NULL, false, argv, &o), 0);
	if (env)
		unsetenv("BPFBATCH_LOG");
	cr_assert_str_eq(o.out, want_out, "%s under run --kernel %s: got '%s' (stderr '%s')", check,
			 kernel, o.out, o.err);
	cr_assert(!want_err || strstr(o.err, want_err), "%s under run --kernel %s: stderr '%s'",
		  check, kernel, o.err);
}

Test(run_faithful, element_commands_are_judged, .timeout = 60)
{
	expect_run("5.4", "hash-lookup-and-delete-elem", NULL, "errno 524\n", NULL);
	expect_run("5.14", "hash-lookup-and-delete-elem", NULL, "errno 2\n", NULL);
	expect_run("5.0", "lookup-elem-lock", NULL, "errno 22\n", NULL);
	expect_run("5.1", "lookup-elem-lock", NULL, "errno 0\n", NULL);
}

Test(run_faithful, batch_the_kernel_refuses_per_type_is_emulated, .timeout = 60)
{
	expect_run("5.10", "lpm-batch", "BPFBATCH_LOG=1", "errno 0\n",
		   "emulated (kernel refused this map type");
	/* The kernel's own: the target runs it (supervisor/native_call). */
	expect_run("5.13", "lpm-batch", "BPFBATCH_LOG=1", "errno 0\n", "(run by the kernel)");
}
