/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The simulator's version table and version parser, without a kernel. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>

#include "sim/sim.h"

struct table_case {
	unsigned major, minor;
	int first_unknown;
};

/* Boundaries from semantics.md §7: the first version that knows a command
 * and the version just before it. */
ParameterizedTestParameters(sim_table, first_unknown)
{
	static struct table_case cases[] = {
		{ 2, 6, 0 },   { 3, 17, 0 },  { 3, 18, 6 },  { 4, 3, 6 },
		{ 4, 4, 8 },   { 4, 9, 8 },   { 4, 10, 10 }, { 4, 12, 11 },
		{ 4, 13, 16 }, { 4, 14, 16 }, { 4, 15, 17 }, { 4, 17, 18 },
		{ 4, 18, 21 }, { 4, 19, 21 }, { 4, 20, 22 }, { 5, 2, 23 },
		{ 5, 4, 24 },  { 5, 5, 24 },  { 5, 6, 28 },  { 5, 7, 30 },
		{ 5, 8, 34 },  { 5, 9, 35 },  { 5, 10, 36 }, { 6, 8, 36 },
		{ 6, 9, 37 },  { 6, 16, 37 }, { 6, 17, 38 }, { 6, 18, 38 },
		{ 10, 0, 38 },
	};

	return cr_make_param_array(struct table_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct table_case *c, sim_table, first_unknown)
{
	cr_assert_eq(sim_first_unknown_cmd(c->major, c->minor), c->first_unknown,
		     "kernel %u.%u: first unknown cmd %d, want %d", c->major, c->minor,
		     sim_first_unknown_cmd(c->major, c->minor), c->first_unknown);
}

/* Newer kernels never know fewer commands. */
Test(sim_table, monotonic)
{
	unsigned major, minor;
	int prev = 0, cur;

	for (major = 2; major <= 7; major++) {
		for (minor = 0; minor < 40; minor++) {
			cur = sim_first_unknown_cmd(major, minor);
			cr_assert_geq(cur, prev, "%u.%u", major, minor);
			cr_assert_leq(cur, SIM_NCMDS);
			prev = cur;
		}
	}
}

Test(sim_version, accepts)
{
	static const struct {
		const char *s;
		unsigned major, minor;
	} ok[] = {
		{ "5.4", 5, 4 },     { "4.14", 4, 14 },  { "4.14.336", 4, 14 },
		{ "6.18", 6, 18 },   { "3.18.0", 3, 18 }, { "2.6", 2, 6 },
		{ "10.0", 10, 0 },   { "05.04", 5, 4 },
	};
	unsigned major, minor;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		major = minor = 12345;
		cr_assert_eq(sim_parse_version(ok[i].s, &major, &minor), 0, "'%s'", ok[i].s);
		cr_assert_eq(major, ok[i].major, "'%s'", ok[i].s);
		cr_assert_eq(minor, ok[i].minor, "'%s'", ok[i].s);
	}
}

Test(sim_version, rejects_garbage)
{
	static const char *const bad[] = {
		"",       "5",        "5.",      ".4",       "5.4.",     "5.4x",
		" 5.4",   "5.4 ",     "-5.4",    "+5.4",     "5..4",     "a.b",
		"5.4.1.2", "0.1",     "5.-4",    "99999.1",  "5.4-rc1",  "5,4",
		"5.4.x",  "0x5.4",    "5.1000",
	};
	unsigned major, minor;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(sim_parse_version(bad[i], &major, &minor), -EINVAL,
			     "'%s' accepted", bad[i]);
	cr_assert_eq(sim_parse_version(NULL, &major, &minor), -EINVAL);
}
