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
 * A lookup-and-delete's keys, values and out_batch are probed for
 * writability before it runs and served through local buffers with the same
 * writable prefixes (target_buf.h), so it deletes what it would have deleted
 * in the target. Fds in UPDATE values are the target's (taken over as the
 * map fd is), or a number no process holds where the target holds none.
 *
 * Known deviations from the kernel (all need a buggy or racing target):
 * - After an EFAULT with count 0, the kernel may have left partial copies
 *   in keys/values; the supervisor writes nothing there.
 * - A token equal to what out_batch held already is not written back, so a
 *   read-only (but readable) out_batch with an unchanged token is no EFAULT
 *   (a lookup; a lookup-and-delete probes out_batch first).
 * - The writability probe reads one byte per page of a lookup-and-delete's
 *   output buffers and writes it back: a target thread storing to that byte
 *   in between loses its store; one that unmaps or write-protects a buffer
 *   between the probe and the copy-back loses elements, as in the kernel.
 * - Without pidfd_getfd (before 5.6) only maps can be taken over (reopened
 *   by id): a value naming the target's program, socket, perf event or
 *   cgroup is answered as if the target did not hold it (EBADF/EINVAL).
 * - A lookup is served with count clipped to max_entries + 1 (bounds our
 *   buffers); only a walk racing with heavy insert/delete churn can tell.
 * - An attr with an unreadable byte past the kernel's attr size gets EFAULT
 *   even where a non-zero byte before it would have made the kernel say E2BIG.
 * - UPDATE/DELETE are served in chunks of 1 MiB of keys+values: the same
 *   result, but a map-in-map pays the kernel's synchronize_rcu per chunk.
 */
#ifndef BPFBATCH_TARGET_CALL_H
#define BPFBATCH_TARGET_CALL_H

#include <stdbool.h>
#include <stdint.h>

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
	void *arg;
};

/* Set up once before serving (reserves the never-mapped stand-in for the
 * target's bad pointers). Returns 0 or -errno. */
int tc_init(void);

/* Serve one call. Returns the bpf() result for the target (>= 0 or -errno)
 * or TC_GONE. */
long tc_serve(const struct tc_call *call);

#endif
