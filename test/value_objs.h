/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Objects whose fds map values name, made the same way by every test that
 * stores them (the coverage matrix, the supervisor's client). libc only.
 * Each returns a close-on-exec fd or -1.
 */
#ifndef TEST_VALUE_OBJS_H
#define TEST_VALUE_OBJS_H

#include <stdbool.h>

/* A UDP socket bound to loopback (sockmaps take only hashed sockets);
 * SO_REUSEPORT for reuseport arrays. */
int vo_udp_socket(bool reuseport);

/* A BPF_OUTPUT software perf event on CPU 0, for perf event arrays. */
int vo_perf_event(void);

/* A cgroup v2 directory, for cgroup arrays (which refuse v1 with EBADF). */
int vo_cgroup(void);

#endif
