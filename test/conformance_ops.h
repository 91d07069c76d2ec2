/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The command matrix: each batch command x {HASH, PERCPU_HASH, LRU_HASH,
 * LRU_PERCPU_HASH, ARRAY, PERCPU_ARRAY} x batch sizes {1, 7, 64, max_entries}
 * x peer modes {simulated 5.4 kernel, forced emulation, preloaded
 * pass-through} as Criterion parameters, and inside each test key sizes
 * {4, 16} (arrays: 4) x value sizes {8, 12}.
 *
 * Ground truth is this kernel: the same call is made natively. Arrays are
 * compared call by call, byte for byte; hash-family lookups are compared by
 * what a whole walk returns plus the per-call contract (semantics.md §3.1b:
 * the kernel's whole-bucket chunking cannot be reproduced in user space).
 */
#ifndef BPFBATCH_TEST_CONFORMANCE_OPS_H
#define BPFBATCH_TEST_CONFORMANCE_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include <criterion/parameterized.h>

#include "conformance.h"

#define HASH_MAX 150
#define HASH_FILL 90
#define ARRAY_MAX 120

struct mparam {
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t batch;
	uint32_t mode;
};

struct fixture {
	struct mspec ms;
	struct peer peer;
	char ctx[200];
};

/* Every type x batch size x peer mode: the tests' parameters. */
struct criterion_test_params ops_params(void);
/* Skip without bpf, pin LRU tests to CPU 0, start the peer. */
void ops_start(struct fixture *f, const struct mparam *p);
/* Key sizes {4, 16} (arrays: 4) x value sizes {8, 12}: *i counts through
 * them; false when done. Fills in the map shape and the message context. */
bool ops_next_shape(struct fixture *f, struct mparam *p, uint32_t cmd, int *i);
/* A map with the standard content: hash keys #0..#HASH_FILL-1, array slots
 * with i % 3 != 0 set (the others stay zero). */
int ops_make_map(const struct fixture *f);
/* Array types lack the op: 524 from both, nothing written, count untouched. */
void ops_unsupported_array(struct fixture *f, const struct mparam *p, uint32_t cmd);
/* Run the same UPDATE or DELETE natively on fn and emulated on fe. */
void ops_run_write(struct fixture *f, int fn, int fe, uint32_t cmd, const void *keys,
		   const void *values, uint32_t n, const char *ctx);

#endif
