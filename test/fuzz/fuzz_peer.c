/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-fuzz-peer [--api] SOCKFD [FD...]: the fuzzer's emulated side.
 *
 * Executes the batch calls the fuzzer sends (test/request.h protocol, in the
 * conformance peer's loop, test/peer_serve.c) either through syscall(),
 * which the preloaded shim interposes, or (--api) through the C API,
 * bpfbatch_map_*_batch(). The FDs
 * after SOCKFD were inherited at the fuzzer's own numbers (inner maps whose
 * numbers travel inside hash-of-maps values) and are checked at start-up.
 * No signal is handled: a bad pointer that crashes the peer is a shim bug,
 * and the fuzzer reports it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpfbatch.h>

#include "peer_serve.h"

/* The batch attr (offsets as in union bpf_attr) as a C API call; count is
 * written back as libbpf does, so the response reads it from the attr. */
static long api_call(int cmd, void *attr, unsigned int size)
{
	uint8_t *a = attr;
	uint64_t in, out, keys, values, elem_flags, flags;
	struct bpfbatch_opts o = { .sz = sizeof(o) };
	uint32_t count;
	int32_t fd;
	int r;

	memcpy(&in, a, 8);
	memcpy(&out, a + 8, 8);
	memcpy(&keys, a + 16, 8);
	memcpy(&values, a + 24, 8);
	memcpy(&count, a + 32, 4);
	memcpy(&fd, a + 36, 4);
	memcpy(&elem_flags, a + 40, 8);
	memcpy(&flags, a + 48, 8);
	o.elem_flags = elem_flags;
	o.flags = flags;
	switch (cmd) {
	case 24:
		r = bpfbatch_map_lookup_batch(fd, (void *)in, (void *)out, (void *)keys,
					      (void *)values, &count, &o);
		break;
	case 25:
		r = bpfbatch_map_lookup_and_delete_batch(fd, (void *)in, (void *)out, (void *)keys,
							 (void *)values, &count, &o);
		break;
	case 26:
		r = bpfbatch_map_update_batch(fd, (void *)keys, (void *)values, &count, &o);
		break;
	case 27:
		r = bpfbatch_map_delete_batch(fd, (void *)keys, &count, &o);
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	memcpy(a + 32, &count, 4);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

static bool is_bpf_map(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return !strcmp(link, "anon_inode:bpf-map");
}

int main(int argc, char **argv)
{
	rq_bpf_fn fn = NULL;
	int sock, a = 1, bad_inherit = 0;

	if (a < argc && !strcmp(argv[a], "--api")) {
		fn = api_call;
		a++;
	}
	if (a >= argc) {
		fprintf(stderr, "usage: %s [--api] SOCKFD [FD...]\n", argv[0]);
		return 2;
	}
	sock = atoi(argv[a++]);
	for (; a < argc; a++)
		if (!is_bpf_map(atoi(argv[a])))
			bad_inherit = EBADF;
	return peer_serve(sock, fn, bad_inherit);
}
