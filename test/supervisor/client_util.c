/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "client_util.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/uapi.h" /* the batch attr layout, shared with the shim */

int map_create(uint32_t type, uint32_t max)
{
	uint32_t a[16] = { type, 4, 8, max };
	long fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a));

	if (fd < 0) {
		printf("map_create failed: %ld\n", fd);
		exit(1);
	}
	return (int)fd;
}

int load_prog(uint32_t type, uint32_t attach)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = attach;
	a.insns = p2u(insns);
	a.insn_cnt = 2;
	a.license = p2u("GPL");
	return (int)sys_bpf(BB_PROG_LOAD, &a, sizeof(a));
}

static void *edge(size_t before, int prot)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	mprotect(p + 4096, 4096, prot);
	return p + 4096 - before;
}

void *guarded(size_t readable)
{
	return edge(readable, PROT_NONE);
}

void *write_guarded(size_t writable)
{
	return edge(writable, PROT_READ);
}

uint32_t map_size(int fd, uint32_t ks)
{
	unsigned char key[64], next[64], val[64];
	uint32_t n = 0;
	void *prev = NULL;

	for (;;) {
		uint64_t a[4] = { (uint32_t)fd, p2u(prev), p2u(next), 0 };
		uint64_t l[4] = { (uint32_t)fd, p2u(next), p2u(val), 0 };

		if (sys_bpf(BB_MAP_GET_NEXT_KEY, a, sizeof(a)))
			return n;
		if (!sys_bpf(BB_MAP_LOOKUP_ELEM, l, sizeof(l)))
			n++;
		memcpy(key, next, ks);
		prev = key;
	}
}
