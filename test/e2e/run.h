/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Run a helper program the way the end-to-end tests need: natively or under
 * `bpfbatch sim --kernel X.Y`, with or without LD_PRELOAD of the shim, and
 * capture what it printed.
 */
#ifndef E2E_RUN_H
#define E2E_RUN_H

#include <stdbool.h>

struct e2e_out {
	int status;       /* exit code, or 128 + signal number */
	char out[16384];  /* stdout, NUL-terminated (truncated if longer) */
	char err[4096];   /* stderr, likewise */
};

/*
 * Run argv (argv[0] a path, NULL-terminated). kernel: NULL for the host
 * kernel, else "X.Y" to run under $BPFBATCH_TOOL sim. preload: set
 * LD_PRELOAD=$BPFBATCH_SO for the run, else make sure it is unset.
 * Returns 0 when the program ran (see res->status), -errno otherwise.
 */
int e2e_run(const char *kernel, bool preload, const char *const argv[],
	    struct e2e_out *res);

/* An environment variable the test needs; aborts the test if missing. */
const char *e2e_env(const char *name);

#endif
