/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Unmodified libbpf clients end to end: they work natively; on a simulated
 * kernel without batch commands they fail with EINVAL, as they would there;
 * with LD_PRELOAD of the shim they work again, with the same results.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

struct client_case {
	char kernel[8]; /* "" = the host kernel */
	bool preload;
	bool demo;      /* the demo, else libbpf_client */
	char mode[8];   /* BPFBATCH_MODE, "" = unset */
};

ParameterizedTestParameters(libbpf, clients)
{
	/* kernel, preload, demo, mode */
	static struct client_case cases[] = {
		{ "", false, false, "" },     { "", true, false, "" },
		{ "5.4", false, false, "" },  { "5.4", true, false, "" },
		{ "4.19", false, false, "" }, { "4.19", true, false, "" },
		{ "4.14", false, false, "" }, { "4.14", true, false, "" },
		{ "", false, true, "" },      { "", true, true, "" },
		{ "5.4", false, true, "" },   { "5.4", true, true, "" },
		{ "4.14", false, true, "" },  { "4.14", true, true, "" },
		/* emulation forced on a kernel that has batch commands */
		{ "", true, false, "emulate" }, { "", true, true, "emulate" },
	};

	return cr_make_param_array(struct client_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct client_case *c, libbpf, clients, .timeout = 120)
{
	const char *client[] = { E2E_LIBBPF_CLIENT, NULL };
	const char *demo[] = { E2E_DEMO, "--entries", "20000", "--batch", "500", NULL };
	const char *kernel = c->kernel[0] ? c->kernel : NULL;
	const char *name = c->demo ? "demo" : "libbpf_client";
	bool must_fail = kernel && !c->preload;
	struct e2e_out res;

	if (c->mode[0])
		setenv("BPFBATCH_MODE", c->mode, 1);
	else
		unsetenv("BPFBATCH_MODE");
	cr_assert_eq(e2e_run(kernel, c->preload, c->demo ? demo : client, &res), 0);
	if (must_fail) {
		cr_assert_eq(res.status, 1, "%s on %s without the shim: exit %d, want 1\n%s%s",
			     name, kernel, res.status, res.out, res.err);
		cr_assert(strstr(res.out, "failed: Invalid argument (errno 22)"),
			  "%s on %s without the shim did not fail with EINVAL:\n%s", name,
			  kernel, res.out);
	} else {
		cr_assert_eq(res.status, 0, "%s on %s%s%s: exit %d\n%s%s", name,
			     kernel ? kernel : "host kernel", c->preload ? " with shim" : "",
			     c->mode[0] ? ", BPFBATCH_MODE=emulate" : "", res.status, res.out,
			     res.err);
		cr_assert(strstr(res.out, c->demo ? "demo: ok" : "libbpf_client: ok"));
	}
}
