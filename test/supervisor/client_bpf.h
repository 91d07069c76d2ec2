/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The raw bpf() calls of the test clients: syscall(), nothing else, so that
 * only the shim (dynamic builds) or the supervisor can stand between them
 * and the kernel. */
#ifndef BPFBATCH_TEST_CLIENT_BPF_H
#define BPFBATCH_TEST_CLIENT_BPF_H

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/uapi.h" /* the batch attr layout, shared with the shim */

static inline long sys_bpf(int cmd, void *attr, unsigned int size)
{
	long r = syscall(__NR_bpf, cmd, attr, size);

	return r < 0 ? -errno : r;
}

static inline uint64_t p2u(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* One batch command; *count in and out. The result or -errno. */
static inline long batch(int cmd, int fd, void *in, void *out, void *keys, void *vals,
			 uint32_t *count, uint64_t elem_flags, uint64_t flags)
{
	struct bb_batch_attr a = {
		.in_batch = p2u(in), .out_batch = p2u(out), .keys = p2u(keys),
		.values = p2u(vals), .count = *count, .map_fd = (uint32_t)fd,
		.elem_flags = elem_flags, .flags = flags,
	};
	long r = sys_bpf(cmd, &a, sizeof(a));

	*count = a.count;
	return r;
}

#endif
