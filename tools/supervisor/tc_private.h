/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the parts of one served call share: the call's state (target_call.c
 * reads the attr and takes the map fd over), and the steps every command
 * takes (run the core on local buffers, write results into the target).
 * tc_lookup.c serves LOOKUP and LOOKUP_AND_DELETE, tc_modify.c UPDATE and
 * DELETE.
 */
#ifndef BPFBATCH_TC_PRIVATE_H
#define BPFBATCH_TC_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/target_mem.h"
#include "core/attr.h"
#include "core/mapinfo.h"
#include "core/maptypes.h"
#include "supervisor/target_call.h"

struct tc_ctx {
	const struct tc_call *c;
	unsigned char *abuf;      /* local attr, zero-extended to >= 56 bytes */
	unsigned char *ro;        /* read-only mirror of abuf, or NULL */
	struct bb_batch_attr ta;  /* the target's attr as the kernel reads it */
	struct bb_batch_attr a;   /* the core's: ta with local buffers and our map fd */
	unsigned int esize;
	struct bb_map m;
	bool have_map;
	struct bb_value_fd vfd; /* where UPDATE values carry the target's fds */
	bool fd_values;
	/* What reading the attr and the map's facts gave, for the core: read
	 * once per call here, never again by dispatch. 0 or -errno. */
	long prep;
};

/* Never mapped: the local stand-in for target memory the command cannot
 * reach, so the core faults on it where it would have on the target's. */
void *tc_bad(void);

static inline uint64_t tc_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Point the local attr at local buffers. */
void tc_set_attr(struct tc_ctx *k, uint64_t in, uint64_t out, uint64_t keys, uint64_t values,
		 uint32_t count);

/* Dispatch as the preloaded shim would, on the local attr; *count_out =
 * the count the command left there. */
long tc_run_core(struct tc_ctx *k, uint32_t *count_out);

/* Write spans into the target once the notification is known to be live.
 * Returns the number of complete spans, or TC_GONE. */
long tc_put_spans(struct tc_ctx *k, struct tm_span *s, unsigned int n);

/* The result count, unless the target holds that value already.
 * 0, -EFAULT or TC_GONE. */
long tc_put_count(struct tc_ctx *k, uint32_t n);

long tc_lookup(struct tc_ctx *k); /* LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH */
long tc_modify(struct tc_ctx *k); /* UPDATE_BATCH, DELETE_BATCH */

#endif
