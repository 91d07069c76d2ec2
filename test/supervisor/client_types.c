/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The "token" and "devmap" modes: types no kernel batches, through the
 * emulation's eyes — a cgroup storage's 4-byte token, and the program fd a
 * DEVMAP value carries, which must be the target's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h> /* program loading: the shim has no need of it */

#include "platform/uapi.h"

#include "client_modes.h"
#include "client_util.h"

/*
 * Hash-family tokens are 4 bytes, also for types no kernel batches whose keys
 * are longer (the emulation's token names a cursor): a token kept in the last
 * 4 bytes before an unmapped page is read and written whole, no more.
 */
void token(void)
{
	uint32_t a[16] = { BB_MAP_TYPE_CGROUP_STORAGE, 8, 8, 0 };
	uint32_t *tok = guarded(sizeof(uint32_t)), count = 4;
	uint64_t keys[4], vals[4];
	long fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a)), r;

	if (fd < 0) {
		printf("map_create failed: %ld\n", fd);
		exit(1);
	}
	*tok = 0;
	r = batch(BB_MAP_LOOKUP_BATCH, (int)fd, NULL, tok, keys, vals, &count, 0, 0);
	printf("cgroup_storage lookup: r=%ld count=%u\n", r, count);
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, (int)fd, tok, tok, keys, vals, &count, 0, 0);
	printf("cgroup_storage lookup from its token: r=%ld count=%u\n", r, count);
	close((int)fd);
}

/* DEVMAP values of 8 bytes carry a program fd after the ifindex (fd <= 0:
 * none): the target's program, not whatever the supervisor has under
 * that number. Lookups (not trapped) show which program each slot got. */
void devmap_prog(void)
{
	uint32_t a[16] = { BB_MAP_TYPE_DEVMAP, 4, 8, 4 }, keys[2] = { 0, 1 }, vals[4], info[2];
	struct bb_info_attr ia = { .info_len = sizeof(info), .info = p2u(info) };
	long prog = load_prog(BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP), fd, r;
	uint32_t count = 2;

	fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a));
	ia.bpf_fd = (uint32_t)prog;
	if (prog < 0 || fd < 0 || sys_bpf(BB_OBJ_GET_INFO_BY_FD, &ia, sizeof(ia)) < 0) {
		printf("setup failed: prog %ld map %ld\n", prog, fd);
		exit(1);
	}
	vals[0] = 1, vals[1] = (uint32_t)prog; /* lo, with our program */
	vals[2] = 1, vals[3] = 0;              /* lo, no program */
	r = batch(BB_MAP_UPDATE_BATCH, (int)fd, NULL, NULL, keys, vals, &count, 0, 0);
	printf("devmap update: r=%ld count=%u\n", r, count);
	for (uint32_t i = 0; i < 2; i++) {
		uint64_t la[4] = { (uint32_t)fd, p2u(&keys[i]), p2u(vals), 0 };

		memset(vals, 0, sizeof(vals));
		r = sys_bpf(BB_MAP_LOOKUP_ELEM, la, sizeof(la));
		printf("devmap slot %u: r=%ld ifindex=%u prog=%s\n", i, r, vals[0],
		       vals[1] == info[1] ? "ours" : vals[1] ? "another" : "none");
	}
	close((int)fd);
	close((int)prog);
}

