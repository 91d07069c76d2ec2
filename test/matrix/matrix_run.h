/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Running the matrix client and reading its answers: one line per cell
 * (TYPE CMD RESULT DIGEST) on stdout, and on stderr the cell markers and the
 * BPFBATCH_LOG lines that tell which path each cell took.
 */
#ifndef MATRIX_RUN_H
#define MATRIX_RUN_H

#include <stdint.h>

#define MAX_CELLS 256

struct kernel {
	const char *name;	/* for `bpfbatch sim --kernel`; NULL = native */
	const char *label;
	uint32_t v;		/* BB_KV */
};

struct cell {
	char type[32];
	char cmd[32];
	char result[32];
	char digest[96];
};

struct run {
	struct cell cells[MAX_CELLS];
	int n;
	char klass[MAX_CELLS];	/* N, E, R per cell (shim and supervisor runs) */
	char stats[160];
	int status;
};

/* How the client runs: alone (the ground truth), with the shim preloaded
 * under `bpfbatch sim`, or under the supervisor, `bpfbatch run` (the front
 * end auto takes, or notify forced). */
enum front { F_TRUTH, F_SHIM, F_RUN, F_RUN_NOTIFY };

/* Run the client (with @extra as its argument, or none) on kernel @k (NULL
 * for the truth) through front end @f, and read its cells into @r. */
void run_client(struct run *r, const struct kernel *k, enum front f, const char *extra);

/* The index of the cell for @type and @cmd in @r, or -1. */
int find_cell(const struct run *r, const char *type, const char *cmd);

#endif
