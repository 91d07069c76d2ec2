/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Running one sequence on both sides: map A (native, this process) and map B
 * (emulated, through the peer), created alike and filled alike, each with
 * its model. Every op is applied to both, and compared as the contract
 * allows (run_walk.c for lookups, run_write.c for writes).
 */
#ifndef BPFBATCH_FUZZ_RUN_H
#define BPFBATCH_FUZZ_RUN_H

#include <stdio.h>

#include "fail.h"
#include "link.h"
#include "model.h"
#include "op.h"
#include "walk.h"

#define FZ_NAT 0
#define FZ_EMU 1
#define FZ_WALKS_MAX 8

#define FZ_CMD_LOOKUP 24
#define FZ_CMD_LOOKUP_AND_DELETE 25
#define FZ_CMD_UPDATE 26
#define FZ_CMD_DELETE 27
#define FZ_ENOTSUPP 524

struct fz_run {
	const struct fz_cfg *cfg;
	struct fz_link *link[2];
	const struct fz_pool *pool;
	struct fz_univ u;
	struct fz_model m[2];
	int fd[2];
	struct fz_walk *walks[FZ_WALKS_MAX];
	/* LPM: key i was handed out as a token by the emulated side. Started
	 * from such a key once deleted, the emulation goes on after it where
	 * the kernel restarts (trie_tokens.h): no such walk is compared. */
	uint8_t *emu_tok;
	uint32_t nwalks;
	uint32_t op;		/* index of the op running */
	uint64_t calls;		/* batch calls made, both sides */
	uint64_t by_kind[FZ_NOPK];
	int fd0_err;		/* what fd 0 as an inner map gives: EINVAL, or EBADF */
	struct fz_fail fail;
	FILE *trace;		/* what each side answered, op by op (reproductions) */
};

/* Universe, both maps, the fill, the models. 0, or -1 with r->fail set. */
int fz_run_open(struct fz_run *r, const struct fz_seq *seq);
void fz_run_close(struct fz_run *r);
void fz_run_op(struct fz_run *r, const struct fz_op *op);
/* End of sequence: both maps against their models, and each other. */
void fz_run_final(struct fz_run *r);

/* Is this side judged by the kernel's rules (the native side; both in the
 * pass-through self-test), or by the emulation's promises? */
bool fz_run_kernel_rules(const struct fz_run *r, int side, const struct fz_walk *w);

struct fz_walk *fz_run_walk(const struct fz_run *r, uint32_t id);
void fz_run_walk_remove(struct fz_run *r, struct fz_walk *w);
/* Change key i on one side's model (val NULL: gone); open walks other than
 * 'by' note it. */
void fz_run_set(struct fz_run *r, int side, uint32_t i, const void *val, const struct fz_walk *by);
/* A batch call on each side (c[side] NULL: none), at the same time. -1 (and
 * a failure) if the peer died. */
int fz_run_calls(struct fz_run *r, const struct fz_call *c[2], struct fz_res res[2]);
/* Dump one side's map and compare it with its model. */
bool fz_run_check_side(struct fz_run *r, int side, const char *when);

/* "0", "ENOENT", "errno 524" ... */
const char *fz_err_name(int err);
/* "ret=-1 ENOENT count=3" */
const char *fz_res_str(const struct fz_res *res, char *buf, unsigned len);
/* "[#3 #7 ...]" for up to 16 key numbers. */
const char *fz_keys_str(const uint32_t *keys, uint32_t n, char *buf, unsigned len);

void fz_run_walk_op(struct fz_run *r, const struct fz_op *op);
void fz_run_write_op(struct fz_run *r, const struct fz_op *op);

#endif
