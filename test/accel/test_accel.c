/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * BPFBATCH_ACCEL, differentially: every legacy loop of legacy-loops, on every
 * map type it knows, run without the shim (the kernel's answers) and with
 * acceleration on this kernel, on simulated 5.4 (successor memory only),
 * with prefetching off, and with windows that expire under a slow reader.
 * Each run checks its own outcome against what the kernel guarantees
 * (legacy-loops exits non-zero otherwise); where no other writer runs, the
 * digest of every answer in order must equal the kernel's, and the bad-input
 * answers must be the kernel's errnos. STATS proves acceleration happened.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../e2e/run.h"

struct accel_case {
	char type[16];
	char loop[16];
};

enum cfg { NATIVE, SIM54, NO_PREFETCH, SLOW, NCFG };
static const char *const cfg_names[] = { "native", "sim 5.4", "max-age 0", "slow reader" };

ParameterizedTestParameters(accel, loops)
{
	static const char *const types[] = { "hash", "percpu_hash", "lru_hash",
					     "array", "percpu_array", "lpm" };
	static const char *const loops[] = { "walk",   "items",      "clear",
					     "delete-odd", "pop-first", "update",
					     "concurrent", "errors", "fd-reuse",
					     "delete-ahead", "two-fds", "threads" };
	static struct accel_case cases[sizeof(types) / sizeof(types[0]) *
				       sizeof(loops) / sizeof(loops[0])];
	size_t n = 0;

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (size_t l = 0; l < sizeof(loops) / sizeof(loops[0]); l++, n++) {
			snprintf(cases[n].type, sizeof(cases[n].type), "%s", types[t]);
			snprintf(cases[n].loop, sizeof(cases[n].loop), "%s", loops[l]);
		}
	return cr_make_param_array(struct accel_case, cases, n);
}

/* "loop=... seq=... ok=1" and any "errors r..." lines: what must match. */
static void answers(const char *out, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const char *p = out; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if ((strncmp(p, "loop=", 5) == 0 || strncmp(p, "errors ", 7) == 0) &&
		    used + n + 2 < len) {
			memcpy(buf + used, p, n);
			used += n;
			buf[used++] = '\n';
			buf[used] = '\0';
		}
		p = end ? end + 1 : NULL;
	}
}

/* From "bpfbatch accel: 3001 served (0 successors), 7 windows, ...": the
 * served (which 0) or windows (which 1) count, -1 if absent. */
static long stat_field(const char *err, int which)
{
	const char *p = strstr(err, "bpfbatch accel:");
	long served, succ, windows;

	if (!p || sscanf(p, "bpfbatch accel: %ld served (%ld successors), %ld windows", &served,
			 &succ, &windows) != 3)
		return -1;
	return which ? windows : served;
}

static bool deterministic(const char *loop)
{
	return strcmp(loop, "delete-odd") && strcmp(loop, "update") && strcmp(loop, "concurrent") &&
	       strcmp(loop, "threads");
}

static bool is_array(const char *type)
{
	return strstr(type, "array") != NULL;
}

ParameterizedTest(struct accel_case *c, accel, loops, .timeout = 120)
{
	const char *n = "1000";
	const char *argv[] = { E2E_LEGACY_LOOPS, "--loop", c->loop, "--type", c->type,
			       "--n", n, "--slow-us", "0", NULL };
	static struct e2e_out ref, out;
	static char want[4096], got[4096];

	unsetenv("BPFBATCH_ACCEL");
	unsetenv("BPFBATCH_STATS");
	unsetenv("BPFBATCH_ACCEL_MAX_AGE_MS");
	cr_assert_eq(e2e_run(NULL, false, argv, &ref), 0);
	cr_assert_eq(ref.status, 0, "%s %s without the shim: %s%s", c->type, c->loop, ref.out,
		     ref.err);
	answers(ref.out, want, sizeof(want));

	for (int k = 0; k < NCFG; k++) {
		/* A slow reader racing a writer (or restarting after each
		 * delete, as an LPM walk does) may never finish, with or
		 * without acceleration: the slow runs are the ordered loops. */
		if (k == SLOW && !deterministic(c->loop))
			continue;
		setenv("BPFBATCH_ACCEL", "1", 1);
		setenv("BPFBATCH_STATS", "1", 1);
		unsetenv("BPFBATCH_ACCEL_MAX_AGE_MS");
		argv[8] = "0";
		if (k == NO_PREFETCH)
			setenv("BPFBATCH_ACCEL_MAX_AGE_MS", "0", 1);
		if (k == SLOW) { /* ~20 ms per walk of 1000: windows expire */
			setenv("BPFBATCH_ACCEL_MAX_AGE_MS", "1", 1);
			argv[8] = "20";
		}
		cr_assert_eq(e2e_run(k == SIM54 ? "5.4" : NULL, true, argv, &out), 0);
		cr_assert_eq(out.status, 0, "%s %s, %s: %s%s", c->type, c->loop, cfg_names[k],
			     out.out, out.err);
		answers(out.out, got, sizeof(got));
		if (deterministic(c->loop) || strstr(want, "skipped"))
			cr_expect_str_eq(got, want, "%s %s, %s: answers differ", c->type, c->loop,
					 cfg_names[k]);
		else
			cr_expect(strstr(got, "ok=1") != NULL, "%s %s, %s", c->type, c->loop,
				  cfg_names[k]);
		/* Prefetching served the walk wherever the kernel has LOOKUP_BATCH
		 * for the type; the successor memory served clear() everywhere
		 * else on hash maps. */
		if (strcmp(c->type, "lpm") && strcmp(c->loop, "errors") &&
		    !(is_array(c->type) && strstr(out.out, "skipped"))) {
			bool prefetch = k == NATIVE || k == SLOW;
			bool succ_only = (k == SIM54 || k == NO_PREFETCH) && !is_array(c->type) &&
					 (!strcmp(c->loop, "clear") || !strcmp(c->loop, "delete-odd") ||
					  !strcmp(c->loop, "pop-first") ||
					  !strcmp(c->loop, "delete-ahead"));

			if (prefetch || succ_only)
				cr_expect_gt(stat_field(out.err, 0), 0,
					     "%s %s, %s: nothing accelerated: %s", c->type, c->loop,
					     cfg_names[k], out.err);
			if (k == NATIVE)
				cr_expect_gt(stat_field(out.err, 1), 0, "%s %s: %s",
					     c->type, c->loop, out.err);
		}
	}
}
