/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Legacy loops on bad input and on a map fd reused mid-walk. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "legacy.h"

struct elem_attr {
	uint32_t map_fd, pad;
	uint64_t key, value, flags;
};
/* Raw bpf(), to pass what libbpf never would. */
static long sys_bpf(int cmd, void *attr, unsigned int size)
{
	long r = syscall(__NR_bpf, cmd, attr, size);

	return r < 0 ? -errno : r;
}

static long elem(int cmd, const void *k, void *v, uint64_t flags, unsigned int size)
{
	struct elem_attr a = { .map_fd = (uint32_t)g.fd, .key = (uintptr_t)k,
			       .value = (uintptr_t)v, .flags = flags };

	return sys_bpf(cmd, &a, size);
}

/* Bad input in the middle of a walk: every answer printed, for a test to
 * compare with the kernel's. */
void loop_errors(void)
{
	char k[16], prev[16], v[8 * 512];
	long r[12];

	r[0] = elem(BPF_MAP_GET_NEXT_KEY, NULL, k, 0, 24);
	r[1] = elem(BPF_MAP_LOOKUP_ELEM, k, (void *)8, 0, 32);        /* bad value */
	r[2] = elem(BPF_MAP_GET_NEXT_KEY, k, (void *)8, 0, 24);       /* bad next_key */
	r[3] = elem(BPF_MAP_GET_NEXT_KEY, (void *)8, prev, 0, 24);    /* bad key */
	r[4] = elem(BPF_MAP_GET_NEXT_KEY, k, prev, 1, 32);            /* flags: not its field */
	r[5] = elem(BPF_MAP_LOOKUP_ELEM, k, v, 1ULL << 40, 32);       /* unknown flag */
	r[6] = elem(BPF_MAP_GET_NEXT_KEY, k, prev, 0, 24);
	memcpy(k, prev, g.ks);
	r[7] = elem(BPF_MAP_DELETE_ELEM, k, NULL, 0, 32);
	r[8] = elem(BPF_MAP_LOOKUP_ELEM, k, v, 0, 32);                /* own delete: ENOENT */
	r[9] = elem(BPF_MAP_GET_NEXT_KEY, k, prev, 0, 24);            /* after it */
	r[10] = elem(BPF_MAP_LOOKUP_ELEM, NULL, v, 0, 32);
	r[11] = sys_bpf(BPF_MAP_GET_NEXT_KEY, (void *)8, 24);          /* bad attr */
	for (int i = 0; i < 12; i++) {
		printf("errors r%d=%ld\n", i, r[i]);
		mix(&r[i], sizeof(r[i]));
	}
	if (is_array() && r[7] != -EINVAL)
		fail("array delete", r[7], -EINVAL);
	if (!is_array() && (r[7] != 0 || r[8] != -ENOENT))
		fail("own delete", r[7], r[8]);
}

/* Walk map A half way, close it, make map B (the same fd number) with other
 * values, and go on with A's key on B: the answers must be B's. */
void loop_fd_reuse(void)
{
	char k[16], prev[16], v[8 * 512];
	int fd = g.fd, b;
	uint32_t half = g.n / 2;

	for (uint32_t i = 0; i < half; i++)
		if (bpf_map_get_next_key(g.fd, i ? prev : NULL, k) == 0)
			memcpy(prev, k, g.ks);
	if (bpf_map_lookup_elem(g.fd, k, v))
		fail("lookup A", errno, 0);
	close(g.fd);
	b = create();
	if (b != fd)
		fail("fd reused", b, fd);
	g.fd = b;
	/* B: the same keys, generation 5, filled by another process */
	if (fork() == 0) {
		char kk[16], vv[8 * 512];

		for (uint32_t i = 0; i < g.n; i++) {
			make_key(kk, i);
			make_val(vv, i, 5);
			bpf_map_update_elem(b, kk, vv, BPF_ANY);
		}
		_exit(0);
	}
	wait(NULL);
	if (bpf_map_lookup_elem(g.fd, k, v) || val_gen(v, (uint32_t)index_of(k)) != 5)
		fail("lookup on B", val_gen(v, (uint32_t)index_of(k)), 5);
	if (bpf_map_get_next_key(g.fd, k, prev) == 0)
		saw(prev);
	if (bpf_map_lookup_elem(g.fd, prev, v) || val_gen(v, (uint32_t)index_of(prev)) != 5)
		fail("next on B", val_gen(v, (uint32_t)index_of(prev)), 5);
	memset(seen, 0, g.n * 4);
	g.count = 0;
	{
		bool have = false;

		while (bpf_map_get_next_key(g.fd, have ? prev : NULL, k) == 0) {
			saw(k);
			if (bpf_map_lookup_elem(g.fd, k, v) ||
			    val_gen(v, (uint32_t)index_of(k)) != 5)
				fail("walk of B", index_of(k), 0);
			memcpy(prev, k, g.ks);
			have = true;
		}
	}
	check_seen(0, g.n, 1, 1);
}
