/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A fuzz sequence as data: the map kind, the initial contents and a list of
 * ops. Ops name walks by id and keys by universe number, never by a side's
 * token or fd, so the same list runs on both sides, and any sub-list still
 * runs (ops on walks that do not exist are skipped): that is what lets a
 * failing sequence be shrunk to a minimal reproduction.
 */
#ifndef BPFBATCH_FUZZ_OP_H
#define BPFBATCH_FUZZ_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "univ.h"

enum fz_opk {
	FZ_OP_STEP,		/* next call of a walk (or its first) */
	FZ_OP_REISSUE,		/* a call with an earlier token of a walk */
	FZ_OP_FORK,		/* a second walk from a copy of a walk's token */
	FZ_OP_ABANDON,		/* forget a walk */
	FZ_OP_UPDATE_BATCH,
	FZ_OP_DELETE_BATCH,
	FZ_OP_UPDATE_ELEM,	/* single-element commands, on both maps directly */
	FZ_OP_DELETE_ELEM,
	FZ_OP_CHECK,		/* dump both maps against their models */
	FZ_NOPK,
};

/* Where a call's buffers fault: a buffer that ends at a PROT_NONE page. */
enum fz_fault {
	FZ_F_NONE,
	FZ_F_KEYS,		/* keys: fault_at whole keys + partial bytes */
	FZ_F_VALUES,		/* values: likewise */
	FZ_F_OUT,		/* out_batch: fault_at bytes (< token size) */
	FZ_F_IN,		/* in_batch: an unmapped address */
	FZ_F_ATTR,		/* the attr is read-only: count cannot be written */
};

/* How a new walk names its start. */
enum fz_start {
	FZ_START_NULL,		/* in_batch NULL */
	FZ_START_ZERO4,		/* hash family: a 4-byte zero token ("from the start") */
	FZ_START_ZERO8,		/* hash family: zero in an 8-byte buffer (cilium) */
	FZ_START_KEY,		/* arrays, LPM: key #start_key as the token */
};

struct fz_op {
	uint8_t kind;
	uint8_t fault;
	uint8_t start;		/* fresh walks: enum fz_start; batches: nonzero = garbage
				 * in_batch/out_batch (writes ignore them) */
	bool fresh;		/* STEP: starts walk 'walk' */
	bool del;		/* fresh: LOOKUP_AND_DELETE */
	bool same_count;	/* REISSUE: the count of the call it repeats */
	bool adopt;		/* REISSUE: go on from its token (else the walk's own) */
	uint16_t back;		/* REISSUE: 0 repeats the last successful call */
	uint32_t walk;
	uint32_t walk2;		/* FORK: the copy's id */
	uint32_t count;
	uint32_t fault_at;
	uint32_t partial;
	uint32_t start_key;
	uint64_t elem_flags;
	uint64_t flags;		/* batch flags; UPDATE_ELEM: BPF_ANY/NOEXIST/EXIST */
	uint32_t nkeys;
	uint32_t *keys;		/* universe numbers (>= n: never-valid keys) */
	uint32_t *vals;		/* value seeds */
};

struct fz_seq {
	uint64_t seed;		/* shapes the universe */
	enum fz_kind kind;
	uint32_t nfill;
	uint32_t *fill_keys;
	uint32_t *fill_vals;
	uint32_t nops;
	uint32_t cap;
	struct fz_op *ops;
};

const char *fz_op_name(enum fz_opk k);
/* Allocate keys/vals for nkeys elements. */
void fz_op_keys(struct fz_op *op, uint32_t nkeys);
void fz_op_free(struct fz_op *op);
/* Deep copy. */
void fz_op_copy(struct fz_op *dst, const struct fz_op *src);
/* One line, e.g. "W2 step LOOKUP count=5 fault=keys@3+1". */
const char *fz_op_str(const struct fz_op *op, char *buf, size_t len);

/* Append a deep copy of op. */
void fz_seq_push(struct fz_seq *s, const struct fz_op *op);
void fz_seq_free(struct fz_seq *s);
void fz_seq_copy(struct fz_seq *dst, const struct fz_seq *src);

#endif
