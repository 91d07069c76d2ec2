/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The first difference a sequence finds. A sequence stops at it; the check
 * name (side and rule, e.g. "emu:walk-missed-key") is what shrinking keeps
 * constant while it removes ops.
 */
#ifndef BPFBATCH_FUZZ_FAIL_H
#define BPFBATCH_FUZZ_FAIL_H

#include <stdbool.h>
#include <stdint.h>

struct fz_fail {
	bool failed;
	uint32_t op;		/* index of the op in the sequence */
	char check[48];
	char msg[4096];
};

/* Record the failure unless one is recorded already. */
void fz_failf(struct fz_fail *f, uint32_t op, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
