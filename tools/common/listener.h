/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Handing a seccomp listener from the child that installed the filter to
 * the parent that serves it, before the child execs (the listener is
 * close-on-exec). Shared by `bpfbatch run` and `bpfbatch sim`.
 */
#ifndef BPFBATCH_LISTENER_H
#define BPFBATCH_LISTENER_H

/* Send @err (0 or a positive errno) and, if @fd >= 0, the fd. 0 or -errno. */
int listener_send(int sock, int err, int fd);
/* The child's verdict: the listener fd, or -errno. */
int listener_recv(int sock);
/* A wait status as a shell reports it: the exit code, or 128 + signal. */
int listener_exit_status(int st);

#endif
