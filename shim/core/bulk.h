/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The bulk path: below the floor of single-element commands on kernels
 * without the batch commands (and for map types without them). A generated
 * program (bulk_prog.h) runs the map helpers on up to a few hundred
 * elements per BPF_PROG_TEST_RUN (4.12+):
 * - UPDATE_BATCH and DELETE_BATCH: keys and values go in as the test packet;
 * - LOOKUP_BATCH and LOOKUP_AND_DELETE_BATCH: the keys still come from
 *   GET_NEXT_KEY one syscall each (no helper walks a map), the values (and
 *   the deletes) come in bulk (bulk_queue.h).
 *
 * Exact or not at all: it serves only what the helpers do exactly as the
 * syscalls do (bb_bulk_open says which), and stops at the first failing
 * element with that element's errno, as the kernel's batch loops do. It is
 * used after a one-time self-test on a scratch map (load, run, compare with
 * single-element commands; bulk_selftest.c); any refusal (EPERM, memory
 * limits, the verifier, no PROG_TEST_RUN or map ids, a simulated old kernel)
 * leaves today's path in charge, with the reason in BPFBATCH_LOG and in
 * `bpfbatch probe`. BPFBATCH_BULK=0 turns it off.
 */
#ifndef BB_BULK_H
#define BB_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bulk_cache.h"
#include "core/emu.h"

#define BB_BULK_DECLINED 3 /* not served in bulk: the element path goes on */

/* Is the path usable in this process? Runs the self-test the first time.
 * *why (if not NULL) gets the reason it is not, or "ok". */
bool bb_bulk_available(const char **why);

/* The self-test itself (bulk_selftest.c): NULL if it passed, else why not. */
const char *bb_bulk_selftest(void);
/* Learn whether hash maps have LOOKUP_AND_DELETE_ELEM (bulk_selftest.c). */
void bb_bulk_learn_lookup_and_delete(void);

struct bb_bulk {
	struct bb_bulk_prog prog;
	unsigned char *pkt; /* the test packet, prog.l.size bytes */
	const struct bb_emu_call *c;
};

/* Get the program for @op on @c's map if the bulk path serves it: 0 (use
 * bb_bulk_take / the write loop, then bb_bulk_close) or BB_BULK_DECLINED. */
long bb_bulk_open(const struct bb_emu_call *c, enum bb_bulk_op op, struct bb_bulk *b);
void bb_bulk_close(struct bb_bulk *b);

/* Elements per run of an open program. */
static inline uint32_t bb_bulk_n(const struct bb_bulk *b)
{
	return b->prog.l.n;
}

/*
 * Look up (and delete, for BB_BULK_LOOKUP_DELETE) the @n packed keys: value
 * i goes to @values + i * value_size (our memory), present[i] says whether
 * element i was there (a vanished one is skipped, as LOOKUP_ELEM's ENOENT
 * is). Returns 0, or the -errno of element *done, which was not taken
 * (elements before it were).
 */
long bb_bulk_take(struct bb_bulk *b, const void *keys, uint32_t n, void *values,
		  unsigned char *present, uint32_t *done);

/*
 * UPDATE_BATCH / DELETE_BATCH from element *i on: returns 0 or the errno of
 * element *i (*i = elements applied, as count), or BB_BULK_DECLINED with *i
 * the elements applied so far, for the element path to go on from.
 */
long bb_bulk_write(struct bb_emu_call *c, bool del, uint32_t *i);

/* Run the program on @n elements already in b->pkt: 0 with the stop point
 * in *done and *err (0, or the -errno of element *done); else nothing was
 * done: the -errno of PROG_TEST_RUN itself, or BB_BULK_DECLINED where the
 * kernel cut the packet short and the program stopped at its bounds check. */
long bb_bulk_run(struct bb_bulk *b, uint32_t n, uint32_t *done, int32_t *err);

#endif
