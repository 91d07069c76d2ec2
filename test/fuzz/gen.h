/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Random sequences: the initial contents, then ops chosen from the running
 * state (open walks, what the native map holds). The run finishes the walks
 * left open (seq.c).
 */
#ifndef BPFBATCH_FUZZ_GEN_H
#define BPFBATCH_FUZZ_GEN_H

#include <stdbool.h>

#include "op.h"
#include "rng.h"
#include "run.h"

/* Op families that --skip can turn off (to see past a known failure). */
enum fz_skip {
	FZ_SKIP_REISSUE = 1u << 0,	/* re-issued tokens */
	FZ_SKIP_FORK = 1u << 1,		/* copied tokens (second readers) */
	FZ_SKIP_FAULT = 1u << 2,	/* EFAULT and the retries after it */
	FZ_SKIP_DRAIN = 1u << 3,	/* LOOKUP_AND_DELETE_BATCH */
	FZ_SKIP_FLAGS = 1u << 4,	/* invalid elem_flags / flags */
	FZ_SKIP_WRITE = 1u << 5,	/* UPDATE_BATCH, DELETE_BATCH */
	FZ_SKIP_ELEM = 1u << 6,		/* single-element updates and deletes */
	FZ_SKIP_ABANDON = 1u << 7,	/* abandoned walks */
	FZ_SKIP_ZERO = 1u << 8,		/* count 0 */
	FZ_SKIP_KEYSTART = 1u << 9,	/* walks started at a key */
	FZ_SKIP_PARTIAL = 1u << 10,	/* faults inside an element (only between) */
	FZ_SKIP_RELINK = 1u << 11,	/* updates of present keys in relinking hash maps */
	FZ_SKIP_DRAINFAULT = 1u << 12,	/* faults in LOOKUP_AND_DELETE calls */
};

/* Parse a --skip name; 0 if unknown. */
unsigned fz_skip_parse(const char *s);
/* "reissue fork fault ..." */
const char *fz_skip_names(void);

struct fz_gen {
	struct fz_rng rng;
	unsigned skip;
	bool api;		/* no read-only attr: the C API has no attr */
	bool lpm_walks;		/* the simulated kernel can walk LPM tries */
	uint32_t next_walk;
	uint32_t left;		/* random ops still to come */
	uint32_t retry_walk;	/* the last op faulted on this walk (0: none) */
	uint32_t retry_count;
};

/* Kind, universe seed and initial contents of a new sequence. */
void fz_gen_seq(struct fz_gen *g, enum fz_kind kind, struct fz_seq *seq);
/* The next op for r, or false when the sequence is complete. */
bool fz_gen_op(struct fz_gen *g, const struct fz_run *r, struct fz_op *op);

#endif
