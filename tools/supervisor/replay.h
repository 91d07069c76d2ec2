/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * One answer per call, whatever signals do. Without WAIT_KILLABLE_RECV
 * (before 5.19) a signal to a thread whose call the supervisor is serving
 * makes the kernel abandon the notification: the answer cannot be sent
 * (ENOENT), or is sent and dropped (witness.h), and after the handler the
 * thread restarts the call (SA_RESTART) or sees EINTR and usually issues it
 * again. The supervisor has executed it already: elements are deleted, a
 * walk has moved on. Executing it again would lose those elements, so the
 * served calls are recorded, and a call that is the same thread's same call
 * again, with its attr as the supervisor left it (or as the thread first
 * gave it), is answered from the record: the same result, and whatever the
 * first serving could not write into the thread yet is written now.
 *
 * Only calls whose answer did not reach their thread are replayed: one whose
 * answer failed to send, or, where a witness is available, one whose thread
 * completed no bpf() call since. A later identical call after a delivered
 * answer is a new call. Writes into a thread are made only under a pending
 * notification of that thread, so a thread that died (or execed) in the
 * meantime is never written to; what could not be written waits in the
 * record for the restart.
 *
 * Memory: at most REPLAY_CALLS records (two attr copies each, plus what was
 * kept unwritten, at most REPLAY_KEPT_MAX bytes in all) and a witness per
 * thread for at most REPLAY_THREADS threads; the least recently used go
 * first.
 */
#ifndef BPFBATCH_REPLAY_H
#define BPFBATCH_REPLAY_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/target_mem.h"

#define REPLAY_CALLS 64
#define REPLAY_THREADS 64
#define REPLAY_KEPT_MAX (256u << 20)

struct replay;
struct replay_call;

struct replay_stats {
	uint64_t unsent;   /* answers the kernel refused (ENOENT) or kept unwritten */
	uint64_t dropped;  /* answers sent but dropped, as the witness saw */
	uint64_t replayed; /* restarted calls answered from a record */
	uint64_t lost;     /* records given up (memory bound) before their restart */
};

/* @witness: use witnesses (witness.h) where they can be opened. NULL: out
 * of memory. */
struct replay *replay_new(bool witness);
void replay_free(struct replay *rp);
const struct replay_stats *replay_stats(const struct replay *rp);

/*
 * Is @req (a batch command from thread req->pid, notified on @listener) the
 * restart of a call served before whose answer did not reach the thread?
 * Then true, and *answer is what to answer it (the recorded result, once
 * what was kept is written; NOTIFY_DROP if @req is gone already).
 */
bool replay_find(struct replay *rp, int listener, const struct seccomp_notif *req, long *answer);

/* A new call about to be served: its record (reading the thread's attr), or
 * NULL where it cannot have one (the attr is unreadable). */
struct replay_call *replay_begin(struct replay *rp, const struct seccomp_notif *req);

/* What the serving wrote into the thread: @s[i].done bytes of each span. */
void replay_wrote(struct replay_call *c, const struct tm_span *s, unsigned int n);

/* Keep @s[0..n) for the restart, the notification being gone: n (as if
 * written), or -ENOMEM over the bound. */
long replay_keep(struct replay *rp, struct replay_call *c, const struct tm_span *s,
		 unsigned int n);

/* The serving ended with @r (TC_GONE: the thread is gone, forget it). */
void replay_end(struct replay *rp, struct replay_call *c, long r);

/* notify_loop.sent: the answer to @req went out (@err 0) or not. */
void replay_sent(struct replay *rp, const struct seccomp_notif *req, int err);

#endif
