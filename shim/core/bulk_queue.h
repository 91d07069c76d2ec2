/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Values in bulk for the lookup walks (key_walk.c, emu_hash_walk.c's
 * replay, emu_array_walk.c): a walk meets its keys as it always did (one
 * GET_NEXT_KEY each, or the next index) and queues each for the caller's
 * next slot instead of looking it up at once; a flush takes the queued
 * elements in one program run (bulk.h) and writes the ones still there to
 * their slots in order, values first, then keys up to the first value that
 * could not be written (the kernel writes an element's key before its
 * value). An element that vanished in between is skipped, as the element
 * path skips a LOOKUP_ELEM that says ENOENT, so a flush can return fewer
 * elements than it had queued: the walk then goes on from the slot after
 * the last one returned.
 *
 * A walk flushes before it returns, whatever it returns, so what was queued
 * before a failure is taken (and deleted) as the element path would have
 * taken it before meeting that failure.
 */
#ifndef BB_BULK_QUEUE_H
#define BB_BULK_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bulk.h"

struct bb_take_queue {
	bool on;
	struct bb_bulk b;
	/* Optional: a skip rule applied when the queue is taken, to every key
	 * queued since, in order, after @hint ran over them all (key_walk.h's
	 * skip and prefetch): 1 drops the key, as if never queued. */
	int (*skip)(void *arg, const void *key);
	void (*hint)(void *arg, const void *key);
	void *skip_arg;
	uint64_t skipped; /* keys it dropped, in all */
	char *keys;   /* caller's slots */
	char *values; /* caller's slots */
	uint32_t ks, vs;
	uint32_t base; /* slot of queued element 0 */
	uint32_t q;    /* queued */
	unsigned char *qkeys, *qvals, *present;
};

/* Set up for call @c: on if the bulk path serves its lookups (with deletes
 * if @del), else off and every other call here a no-op. */
void bb_tq_init(struct bb_take_queue *t, const struct bb_emu_call *c, bool del);
void bb_tq_fini(struct bb_take_queue *t);

static inline bool bb_tq_full(const struct bb_take_queue *t)
{
	return t->q == bb_bulk_n(&t->b);
}

/* Queue @key as element *n, and count it (*n += 1). Not when full. */
void bb_tq_push(struct bb_take_queue *t, const void *key, uint32_t *n);

/* Take what is queued: *n = the slot after the last element returned.
 * 0, or the -errno of the first element that failed (EFAULT if a slot
 * could not be written). */
long bb_tq_flush(struct bb_take_queue *t, uint32_t *n);

#endif
