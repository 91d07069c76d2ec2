/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/mapinfo.h"

#include <errno.h>
#include <string.h>

#include "core/kprobe.h"
#include "core/maptypes.h"
#include "platform/fdinfo.h"
#include "platform/raw.h"
#include "platform/state.h"

long bb_map_get(int fd, struct bb_map *m)
{
	struct bb_map_info info;
	long r;

	if (bb_kprobe_obj_info()) {
		r = bb_raw_map_info(fd, &info);
		if (r == -EBADFD)
			r = -EBADF; /* what bpf_map_do_batch says for a bad fd */
	} else
		r = bb_fdinfo_read(fd, &info);
	if (r < 0)
		return r;

	memset(m, 0, sizeof(*m));
	m->fd = fd;
	m->info = info;
	m->family = bb_maptype_family(info.type);
	m->value_stride = bb_maptype_value_stride(
		info.type, info.value_size, bb_maptype_percpu(info.type) ? bb_state_possible_cpus() : 1);
	return 0;
}

uint32_t bb_map_n_buckets(const struct bb_map *m)
{
	uint32_t n = 1;

	while (n < m->info.max_entries && n < (1U << 31))
		n <<= 1;
	return n;
}
