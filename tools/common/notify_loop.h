/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Serving a seccomp user-notification listener: one notification at a
 * time, in this process, until no task is left under the filter (POLLHUP on
 * the listener, 5.8+). Receive failures that only mean "that call went
 * away" (EINTR; ENOENT when the task was interrupted, e.g. by Go's
 * preemption signal, or killed) are retried, never mistaken for the end.
 */
#ifndef BPFBATCH_NOTIFY_LOOP_H
#define BPFBATCH_NOTIFY_LOOP_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

/* Answers of serve() besides a result (>= 0) or -errno; outside the errno
 * range. */
#define NOTIFY_CONTINUE (-0x10001L) /* the kernel runs the call (EINVAL before 5.5) */
#define NOTIFY_DROP (-0x10002L)     /* no answer: the notification is gone */

struct notify_loop {
	int listener;
	/* The answer to one notification. */
	long (*serve)(void *arg, const struct seccomp_notif *req);
	void *arg;
	int fd;                  /* polled beside the listener (a signalfd); -1: none */
	void (*on_fd)(void *arg); /* @fd is readable */
	/* Asked on each wake-up without a notification: true ends the loop
	 * without POLLHUP (kernels before 5.8). NULL: never. */
	bool (*stop)(void *arg);
	/* The kernel has no POLLHUP for a listener no task uses (before 5.8,
	 * or simulated): one the host reports is not seen, and stop() alone
	 * ends the loop. */
	bool no_hup;
	/* After each answer (NULL: not asked): serve() said @r, and sending it
	 * gave @err (0, or -ENOENT: the task was gone or interrupted). A 0 does
	 * not prove delivery: without killable waits a task that a signal woke
	 * just before the answer was taken drops it. */
	void (*sent)(void *arg, const struct seccomp_notif *req, long r, int err);
	/* private */
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	unsigned int req_size, resp_size;
};

/* The buffers, sized for the running kernel. 0 or -errno. */
int notify_loop_init(struct notify_loop *l);
void notify_loop_free(struct notify_loop *l);

/* 0 when no task is left or stop() said so; -errno if the listener broke. */
int notify_loop_run(struct notify_loop *l);

/* Is notification @id still pending, so its pid still names the caller? */
bool notify_id_valid(int listener, uint64_t id);

#endif
