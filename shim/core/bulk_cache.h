/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Loaded bulk programs, reused across calls on the same map (a load costs
 * about a millisecond of verification) and closed soon after their last use.
 *
 * A program holds a reference on its map, so a map whose last fd the caller
 * closed lives on for as long as its program does. The bound: a program is
 * closed at most BB_BULK_IDLE_MS after the end of the last call that used
 * it, whether or not the process ever makes another call; the kernel then
 * frees the map after an RCU grace period. Nothing is pinned or attached.
 *
 * Who closes it: the host may never call again, so a library cannot wait
 * for a next call; a timer needs a thread or a signal, and a signal is the
 * host's. So a thread of ours, started when the first program is kept and
 * gone when none is left (at most BB_BULK_IDLE_MS after the last use). It
 * blocks every signal it can, never touches the caller's memory and takes
 * only the table's lock. A fork child closes its copies of the programs at
 * once (the thread does not exist there); exec closes them anyway (bpf fds
 * are close-on-exec). Where no thread can be started, programs are closed
 * at the end of each call instead (correct, but each call loads again).
 *
 * Only maps with enough traffic get a program: a (map, operation) is loaded
 * once calls on it have carried BB_BULK_WARM_ELEMS elements within the idle
 * time, so a one-off small call never pays for a load (BPFBATCH_BULK=1:
 * at its first call). Up to
 * BB_BULK_SLOTS (map, operation) pairs are known at a time (least recently
 * used idle ones make room); a refused load is remembered for the idle time
 * too, so a map the verifier refuses is not verified again on every call.
 *
 * Programs are named by id as well as fd: before a program fd is used or
 * closed, it is checked to still be that program (a host that closes fds it
 * does not own must not make us run or close someone else's).
 */
#ifndef BB_BULK_CACHE_H
#define BB_BULK_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bulk_prog.h"
#include "core/mapinfo.h"

#define BB_BULK_IDLE_MS 1000
#define BB_BULK_SLOTS 16
#define BB_BULK_WARM_ELEMS 256

struct bb_bulk_prog {
	int fd;
	enum bb_bulk_op op;
	struct bb_bulk_layout l;
	int slot; /* private */
};

/* Results of bb_bulk_cache_get() that are not -errno. */
#define BB_BULK_COLD 1 /* not worth a program yet: use the element path */

/*
 * Hold the program for @op on @m, loading it if the pair is warm (this call
 * brings @elems elements) and @may_load() agrees. 0: *p is held, give it
 * back with bb_bulk_cache_put(). BB_BULK_COLD: not yet. -errno: the kernel
 * refused the program for this map (-E2BIG: the shape fits no program;
 * -EPERM: @may_load said no).
 */
long bb_bulk_cache_get(const struct bb_map *m, enum bb_bulk_op op, uint32_t elems,
		       bool (*may_load)(void), struct bb_bulk_prog *p);
void bb_bulk_cache_put(struct bb_bulk_prog *p);

/* Programs kept and threads running (for tests). */
void bb_bulk_cache_usage(unsigned int *programs, unsigned int *closers);

#endif
