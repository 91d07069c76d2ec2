/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * One message with an optional fd (SCM_RIGHTS) over a Unix socket: how a
 * started target hands its seccomp listener to the supervisor, and how the
 * conformance tests pass map fds to their peer. libc only.
 */
#ifndef BPFBATCH_FDPASS_H
#define BPFBATCH_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* Send @len bytes and, if @fd >= 0, the fd. Bytes sent or -errno. */
ssize_t fdpass_send(int sock, const void *buf, size_t len, int fd);

/* Receive one message of at most @cap bytes and the fd it carries, made
 * close-on-exec (*fd -1: none). Bytes received (0: the peer is gone),
 * -EMSGSIZE if it did not fit, or -errno. */
ssize_t fdpass_recv(int sock, void *buf, size_t cap, int *fd);

#endif
