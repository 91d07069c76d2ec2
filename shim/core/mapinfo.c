/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/mapinfo.h"

#include <errno.h>
#include <string.h>

#include "platform/fdinfo.h"
#include "platform/raw.h"
#include "platform/state.h"
#include "platform/uapi.h"

/*
 * What the emulation serves per map type. The first block is what 6.18 does
 * natively (semantics.md §6.1); below it, batch commands for types no kernel
 * batches, wherever their single-element commands make the command
 * meaningful (docs/map-types.md has the reasoning per type). A missing op is
 * answered with ENOTSUPP, as the kernel does.
 */
#define OP(c) (1U << ((c) - BB_MAP_LOOKUP_BATCH))
#define L OP(BB_MAP_LOOKUP_BATCH)
#define LD OP(BB_MAP_LOOKUP_AND_DELETE_BATCH)
#define U OP(BB_MAP_UPDATE_BATCH)
#define D OP(BB_MAP_DELETE_BATCH)

static const struct {
	enum bb_family family;
	bool percpu;
	uint32_t ops;
} types[BB_MAP_TYPE_MAX] = {
	[BB_MAP_TYPE_HASH] = { BB_FAM_HASH, false, L | LD | U | D },
	[BB_MAP_TYPE_PERCPU_HASH] = { BB_FAM_HASH, true, L | LD | U | D },
	[BB_MAP_TYPE_LRU_HASH] = { BB_FAM_HASH, false, L | LD | U | D },
	[BB_MAP_TYPE_LRU_PERCPU_HASH] = { BB_FAM_HASH, true, L | LD | U | D },
	[BB_MAP_TYPE_HASH_OF_MAPS] = { BB_FAM_HASH, false, L | LD | U | D },
	[BB_MAP_TYPE_ARRAY] = { BB_FAM_ARRAY, false, L | U },
	[BB_MAP_TYPE_PERCPU_ARRAY] = { BB_FAM_ARRAY, true, L | U },
	[BB_MAP_TYPE_LPM_TRIE] = { BB_FAM_TRIE, false, L | LD | U | D },
	/* Natively L | U only; deleting a slot is meaningful, so add it. */
	[BB_MAP_TYPE_ARRAY_OF_MAPS] = { BB_FAM_ARRAY, false, L | LD | U | D },
	/* No kernel batches these. */
	[BB_MAP_TYPE_STACK_TRACE] = { BB_FAM_HASH, false, L | LD | D },
	[BB_MAP_TYPE_DEVMAP_HASH] = { BB_FAM_HASH, false, L | LD | U | D },
	[BB_MAP_TYPE_SOCKHASH] = { BB_FAM_HASH, false, L | LD | U | D },
	[BB_MAP_TYPE_CGROUP_STORAGE] = { BB_FAM_HASH, false, L | U },
	[BB_MAP_TYPE_PERCPU_CGROUP_STORAGE] = { BB_FAM_HASH, true, L | U },
	[BB_MAP_TYPE_PROG_ARRAY] = { BB_FAM_ARRAY, false, L | LD | U | D },
	[BB_MAP_TYPE_DEVMAP] = { BB_FAM_ARRAY, false, L | LD | U | D },
	[BB_MAP_TYPE_CPUMAP] = { BB_FAM_ARRAY, false, L | LD | U | D },
	[BB_MAP_TYPE_SOCKMAP] = { BB_FAM_ARRAY, false, L | LD | U | D },
	[BB_MAP_TYPE_REUSEPORT_SOCKARRAY] = { BB_FAM_ARRAY, false, L | LD | U | D },
	/* Their lookup is refused by the syscall (ENOTSUPP / EOPNOTSUPP). */
	[BB_MAP_TYPE_PERF_EVENT_ARRAY] = { BB_FAM_ARRAY, false, U | D },
	[BB_MAP_TYPE_CGROUP_ARRAY] = { BB_FAM_ARRAY, false, U | D },
	[BB_MAP_TYPE_XSKMAP] = { BB_FAM_ARRAY, false, U | D },
};

static long info_by_fd(int fd, struct bb_map_info *info)
{
	struct bb_info_attr a;

	memset(info, 0, sizeof(*info));
	memset(&a, 0, sizeof(a));
	a.bpf_fd = (uint32_t)fd;
	a.info_len = sizeof(*info);
	a.info = (uint64_t)(uintptr_t)info;
	return bb_raw_bpf(BB_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
}

/* OBJ_GET_INFO_BY_FD is EBADF on fd -1 where the kernel knows it (4.13+). */
static bool kernel_has_obj_info(void)
{
	enum bb_tri t = bb_feature_get(BB_FEAT_OBJ_INFO);
	struct bb_map_info info;

	if (t == BB_TRI_UNKNOWN) {
		long r = info_by_fd(-1, &info);

		/* It says EBADFD for a bad fd where map commands say EBADF. */
		t = (r == -EBADF || r == -EBADFD) ? BB_TRI_YES : BB_TRI_NO;
		bb_feature_set(BB_FEAT_OBJ_INFO, t == BB_TRI_YES);
	}
	return t == BB_TRI_YES;
}

/* Types with no key iteration, which no kernel batches: the emulation
 * answers them as the newest kernel does (ENOTSUPP) rather than as an old
 * kernel that does not know the command (EINVAL). */
bool bb_map_type_unbatchable(uint32_t type)
{
	switch (type) {
	case 22: /* QUEUE */
	case 23: /* STACK */
	case 24: /* SK_STORAGE */
	case 26: /* STRUCT_OPS */
	case 27: /* RINGBUF */
	case 28: /* INODE_STORAGE */
	case 29: /* TASK_STORAGE */
	case 30: /* BLOOM_FILTER */
	case 31: /* USER_RINGBUF */
	case 32: /* CGRP_STORAGE */
	case 33: /* ARENA */
		return true;
	}
	return false;
}

long bb_map_get(int fd, struct bb_map *m)
{
	struct bb_map_info info;
	long r;

	if (kernel_has_obj_info()) {
		r = info_by_fd(fd, &info);
		if (r == -EBADFD)
			r = -EBADF; /* what bpf_map_do_batch says for a bad fd */
	} else
		r = bb_fdinfo_read(fd, &info);
	if (r < 0)
		return r;

	memset(m, 0, sizeof(*m));
	m->fd = fd;
	m->info = info;
	if (m->info.type < BB_MAP_TYPE_MAX)
		m->family = types[m->info.type].family;
	m->value_stride = m->info.value_size;
	if (m->family != BB_FAM_NONE && types[m->info.type].percpu)
		m->value_stride = ((m->info.value_size + 7) & ~7U) * bb_state_possible_cpus();
	return 0;
}

bool bb_map_has_batch_op(const struct bb_map *m, int cmd)
{
	return m->info.type < BB_MAP_TYPE_MAX && (types[m->info.type].ops & OP(cmd));
}

uint32_t bb_map_n_buckets(const struct bb_map *m)
{
	uint32_t n = 1;

	while (n < m->info.max_entries && n < (1U << 31))
		n <<= 1;
	return n;
}
