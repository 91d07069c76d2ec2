/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * `bpfbatch probe`: its JSON names the path the shim takes per map type and
 * command, on this kernel and on simulated ones, as dispatch decides it
 * (bb_dispatch_route, with the reason BPFBATCH_LOG gives); and the shim says
 * nothing on stderr unless BPFBATCH_LOG or BPFBATCH_STATS asks it to, and
 * then BPFBATCH_LOG says one line per batch call.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static void probe(const char *kernel, struct e2e_out *o)
{
	const char *argv[] = { e2e_env("BPFBATCH_TOOL"), "probe", "--json", NULL };

	cr_assert_eq(e2e_run(kernel, false, argv, o), 0);
	cr_assert_eq(o->status, 0, "probe: %s", o->err);
}

/* Where TYPE's CMD entry of the JSON has FIELD's value. */
static const char *field(const struct e2e_out *o, const char *type, const char *cmd,
			 const char *name)
{
	char key[64], pat[128];
	const char *t;

	snprintf(key, sizeof(key), "\"type\": \"%s\"", type);
	t = strstr(o->out, key);
	cr_assert_not_null(t, "type %s in %s", type, o->out);
	snprintf(pat, sizeof(pat), "\"%s\": {\"kernel\": ", cmd);
	t = strstr(t, pat);
	cr_assert_not_null(t);
	snprintf(pat, sizeof(pat), "\"%s\": \"", name);
	t = strstr(t, pat);
	cr_assert_not_null(t);
	return t + strlen(pat);
}

/* The "shim" verdict for TYPE's CMD in the JSON. */
static void expect(const struct e2e_out *o, const char *type, const char *cmd, const char *want)
{
	const char *t = field(o, type, cmd, "shim");

	cr_assert_eq(strncmp(t, want, strlen(want)), 0, "%s %s: want %s, got %.12s", type, cmd,
		     want, t);
}

/* ... and its reason, in BPFBATCH_LOG's words. */
static void expect_why(const struct e2e_out *o, const char *type, const char *cmd,
		       const char *want)
{
	const char *t = field(o, type, cmd, "why");

	cr_assert_eq(strncmp(t, want, strlen(want)), 0, "%s %s: want %s, got %.40s", type, cmd,
		     want, t);
}

Test(probe_cmd, paths_per_kernel, .timeout = 120)
{
	struct e2e_out o;

	probe(NULL, &o);
	cr_assert_not_null(strstr(o.out, "\"kernel_batch_commands\": true"));
	expect(&o, "hash", "lookup", "native");
	expect(&o, "array", "delete", "refused");
	expect(&o, "stack_trace", "lookup_and_delete", "emulated");
	expect(&o, "lpm_trie", "lookup_and_delete", "emulated");

	probe("5.10", &o);
	expect(&o, "hash", "lookup", "native");
	expect(&o, "lpm_trie", "lookup", "emulated");
	expect_why(&o, "lpm_trie", "lookup", "kernel refused this map type\"");
	expect(&o, "hash_of_maps", "update", "emulated");

	probe("5.4", &o);
	cr_assert_not_null(strstr(o.out, "\"kernel_batch_commands\": false"));
	expect(&o, "hash", "lookup", "emulated");
	expect_why(&o, "hash", "lookup", "kernel lacks batch commands\"");
	expect(&o, "queue", "lookup", "refused");
}

/* The bulk path: available from 4.13 (map ids) on, off before, with the
 * reason; BPFBATCH_BULK=0 turns it off. */
Test(probe_cmd, bulk_path_per_kernel, .timeout = 120)
{
	const char *env = getenv("BPFBATCH_BULK");
	bool off = env && !strcmp(env, "0");
	struct e2e_out o;

	probe(NULL, &o);
	cr_assert_not_null(strstr(o.out, off ? "\"bulk_path\": {\"available\": false, \"reason\": "
					     "\"BPFBATCH_BULK=0\"}"
					   : "\"bulk_path\": {\"available\": true"),
			   "%s", o.out);
	probe("4.14", &o);
	cr_assert_not_null(strstr(o.out, off ? "\"available\": false" : "\"available\": true"));
	probe("4.12", &o);
	cr_assert_not_null(strstr(o.out, "\"bulk_path\": {\"available\": false, \"reason\": "),
			   "%s", o.out);
	cr_assert(off || strstr(o.out, "before 4.13"), "%s", o.out);
	setenv("BPFBATCH_BULK", "0", 1);
	probe("5.4", &o);
	if (env)
		setenv("BPFBATCH_BULK", env, 1);
	else
		unsetenv("BPFBATCH_BULK");
	cr_assert_not_null(strstr(o.out, "\"reason\": \"BPFBATCH_BULK=0\""), "%s", o.out);
}

Test(probe_cmd, the_shim_is_silent_unless_asked, .timeout = 60)
{
	const char *argv[] = { E2E_DEMO, "--entries", "300", NULL };
	struct e2e_out o;

	unsetenv("BPFBATCH_LOG");
	unsetenv("BPFBATCH_STATS");
	cr_assert_eq(e2e_run("5.4", true, argv, &o), 0);
	cr_assert_eq(o.status, 0);
	cr_assert_str_empty(o.err, "stderr: %s", o.err);
	setenv("BPFBATCH_LOG", "1", 1);
	cr_assert_eq(e2e_run("5.4", true, argv, &o), 0);
	unsetenv("BPFBATCH_LOG");
	cr_assert_not_null(strstr(o.err, "bpfbatch: LOOKUP_BATCH: emulated (kernel lacks batch "
					 "commands)"),
			   "log: %s", o.err);
}

/*
 * BPFBATCH_LOG=1 gives one line per batch call on every path (README): the
 * five calls of `kernelcheck five-calls` (hash update, lookup, delete; LPM
 * update, lookup), each line saying which path the call took.
 */
static void expect_log(const char *kernel, const char *const want[5])
{
	const char *argv[] = { E2E_KERNELCHECK, "five-calls", NULL };
	const char *k = kernel ? kernel : "this kernel";
	char *save = NULL, *line;
	struct e2e_out o;
	int n = 0;

	setenv("BPFBATCH_LOG", "1", 1);
	cr_assert_eq(e2e_run(kernel, true, argv, &o), 0);
	unsetenv("BPFBATCH_LOG");
	cr_assert_eq(o.status, 0, "%s: %s", o.out, o.err);
	cr_assert_str_eq(o.out, "0 -2 0 0 -2\n", "on %s: %s", k, o.out);
	for (line = strtok_r(o.err, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char cmd[32], path[16];

		if (sscanf(line, "bpfbatch: %31[A-Z_]: %15s", cmd, path) != 2)
			continue;
		cr_assert_lt(n, 5, "on %s, one line too many: %s", k, line);
		cr_assert_not_null(strstr(line, want[n]), "on %s, call %d: '%s', want '%s'", k, n,
				   line, want[n]);
		n++;
	}
	cr_assert_eq(n, 5, "on %s: %d log lines for 5 batch calls", k, n);
}

Test(probe_cmd, the_log_has_one_line_per_batch_call, .timeout = 60)
{
	static const char *const native[5] = {
		"UPDATE_BATCH: native (", "LOOKUP_BATCH: native (", "DELETE_BATCH: native (",
		"UPDATE_BATCH: native (", "LOOKUP_BATCH: native (",
	};
	static const char *const mixed[5] = {
		"UPDATE_BATCH: native (", "LOOKUP_BATCH: native (", "DELETE_BATCH: native (",
		"UPDATE_BATCH: emulated (kernel refused this map type)",
		"LOOKUP_BATCH: emulated (kernel refused this map type)",
	};
	static const char *const emulated[5] = {
		"UPDATE_BATCH: emulated (kernel lacks", "LOOKUP_BATCH: emulated (kernel lacks",
		"DELETE_BATCH: emulated (kernel lacks", "UPDATE_BATCH: emulated (kernel lacks",
		"LOOKUP_BATCH: emulated (kernel lacks",
	};

	expect_log(NULL, native);
	expect_log("5.10", mixed); /* LPM batch commands came in 5.13 */
	expect_log("5.4", emulated);
}
