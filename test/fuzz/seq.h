/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Sequences end to end: generate-and-run (recording the ops), replay a
 * recorded sequence, shrink a failing one to a minimal reproduction and
 * print it.
 */
#ifndef BPFBATCH_FUZZ_SEQ_H
#define BPFBATCH_FUZZ_SEQ_H

#include <stdio.h>

#include "fail.h"
#include "gen.h"
#include "link.h"
#include "op.h"

struct fz_ctx {
	const struct fz_cfg *cfg;
	const struct fz_pool *pool;
	struct fz_link *native;
	struct fz_link *peer;
	unsigned skip;
	uint64_t calls;			/* batch calls, both sides */
	uint64_t ops;
	uint64_t by_kind[FZ_NOPK];
};

/* Generate and run one sequence from seed; seq receives the ops run. */
void fz_seq_run(struct fz_ctx *x, uint64_t seed, enum fz_kind kind, struct fz_seq *seq,
		struct fz_fail *fail);
/* Run a recorded sequence (ops of walks that do not exist are skipped). */
void fz_seq_replay(struct fz_ctx *x, const struct fz_seq *seq, struct fz_fail *fail, FILE *trace);
/* Remove ops and initial elements while the same check still fails (at
 * most max_runs replays); returns the replays made. */
unsigned fz_seq_shrink(struct fz_ctx *x, struct fz_seq *seq, const struct fz_fail *fail,
		       unsigned max_runs);
/* Replay with a trace, on a fresh peer when one can be started. */
void fz_seq_print(struct fz_ctx *x, const struct fz_seq *seq, FILE *out);

#endif
