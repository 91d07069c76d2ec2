/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/raw.h"

#include <string.h>

#include "platform/stats.h"
#include "platform/uapi.h"

static bb_raw_judge_fn judge;

void bb_raw_set_judge(bb_raw_judge_fn fn)
{
	judge = fn;
}

long bb_raw_bpf(int cmd, void *attr, unsigned int size)
{
	long r;

	if (judge && (r = judge(cmd, attr, size)) != 0)
		return r;
	bb_stat_add(BB_STAT_BPF_SYSCALLS, 1);
	return bb_raw_syscall(__NR_bpf, cmd, (long)attr, size, 0, 0, 0);
}

static long elem_cmd(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	struct bb_elem_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	return bb_raw_bpf(cmd, &a, sizeof(a));
}

long bb_raw_map_lookup(int fd, const void *key, void *value, uint64_t flags)
{
	return elem_cmd(BB_MAP_LOOKUP_ELEM, fd, key, value, flags);
}

long bb_raw_map_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return elem_cmd(BB_MAP_UPDATE_ELEM, fd, key, (void *)value, flags);
}

long bb_raw_map_delete(int fd, const void *key)
{
	/* DELETE_ELEM's attr ends at key: a non-zero tail would be EINVAL. */
	return elem_cmd(BB_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

long bb_raw_map_get_next_key(int fd, const void *key, void *next_key)
{
	return elem_cmd(BB_MAP_GET_NEXT_KEY, fd, key, next_key, 0);
}

long bb_raw_map_lookup_and_delete(int fd, const void *key, void *value, uint64_t flags)
{
	return elem_cmd(BB_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);
}

long bb_raw_map_info(int fd, struct bb_map_info *info)
{
	struct bb_info_attr a;

	memset(info, 0, sizeof(*info));
	memset(&a, 0, sizeof(a));
	a.bpf_fd = (uint32_t)fd;
	a.info_len = sizeof(*info);
	a.info = (uint64_t)(uintptr_t)info;
	return bb_raw_bpf(BB_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
}
