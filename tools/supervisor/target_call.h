/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * One trapped batch command, served for a target: the attr and the buffers
 * the command reads are copied in, the core runs on local copies (with the
 * target's map fd taken over), and what the command wrote is copied back in
 * the kernel's order, so the target sees the kernel's count, token and errno,
 * including EFAULT for its bad pointers. The attr is read and checked once
 * and the map's facts fetched once per call; the core is handed both
 * (bb_dispatch_prepared), however many chunks the call is served in.
 * Independent of how the call was trapped (user notification, ptrace).
 *
 * Where this differs from the kernel (all need a buggy or racing target):
 * docs/containers.md, "Where the supervisor still differs from the kernel".
 */
#ifndef BPFBATCH_TARGET_CALL_H
#define BPFBATCH_TARGET_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/target_mem.h"
#include "supervisor/target_fd.h"

/* tc_serve(): the target is gone (or its notification died): do not answer. */
#define TC_GONE (-65536L) /* outside the errno range */

struct tc_call {
	struct tf_target *t;
	int cmd;           /* 24..27 */
	uint64_t uattr;    /* attr pointer in the target */
	unsigned int size; /* attr size the target passed */
	/* Asked before the first write into the target: is the notification
	 * still pending (so the pid is still the target's)? */
	bool (*still_valid)(void *arg);
	/* If set, every write into the target goes through it instead (the
	 * front end decides when it may write; see supervisor/replay.h): the
	 * number of complete spans, as tm_write() counts, or TC_GONE. */
	long (*put)(void *arg, struct tm_span *s, unsigned int n);
	void *arg;
};

/* Set up once before serving (reserves the never-mapped stand-in for the
 * target's bad pointers). Returns 0 or -errno. */
int tc_init(void);

/* Serve one call. Returns the bpf() result for the target (>= 0 or -errno)
 * or TC_GONE. */
long tc_serve(const struct tc_call *call);

#endif
