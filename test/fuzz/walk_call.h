/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Walk calls: one side's call and the checks of its answer. */
#ifndef BPFBATCH_FUZZ_WALK_CALL_H
#define BPFBATCH_FUZZ_WALK_CALL_H

#include <stdio.h>

#include "run.h"

struct fz_ans {
	bool called;
	struct fz_call c;
	struct fz_res res;
	uint64_t version;	/* the side's model version before the call */
};

/* Record a failure of rule on side s ("emu:rule") and return false. */
#define FZ_SIDE_FAIL(r, s, rule, ...)                                                      \
	do {                                                                               \
		char check_[48];                                                           \
		snprintf(check_, sizeof(check_), "%s:%s", (s) ? "emu" : "native", rule);   \
		fz_failf(&(r)->fail, (r)->op, check_, __VA_ARGS__);                        \
		return false;                                                              \
	} while (0)

/* The call's answer on its own; true if it returned elements, described in
 * *st (a drain's deletes are in the model): a step of the walk, or, with
 * st->err EFAULT, elements returned without a token to go on from. */
bool fz_walk_check_call(struct fz_run *r, struct fz_walk *w, int s, const struct fz_op *op,
			struct fz_ans *a, struct fz_step *st);
/* A re-issued token on a map unchanged since: the same answer (rule 2). */
bool fz_walk_same_chunk(struct fz_run *r, const struct fz_walk *w, int s, const struct fz_op *op,
			const struct fz_step *orig, const struct fz_step *st);

#endif
