/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The coverage matrix's map types: sizes, key and value kinds, what the
 * core's table says of them (names, value kinds, strides), and a fresh map. */
#include <ctype.h>
#include <errno.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/maptypes.h"
#include "platform/uapi.h"

#include "matrix.h"

/* CPUMAP keys are CPU numbers; filled in from the possible-CPU count. */
struct mtype types[] = {
	{ BB_MAP_TYPE_HASH, 4, 8, 64, 0, K_SPARSE, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_PERCPU_HASH, 4, 8, 64, 0, K_SPARSE, V_TABLE, 16, 12, false },
	/* Far from full: an LRU map evicts before it is full when one CPU's
	 * share of free nodes runs out. */
	{ BB_MAP_TYPE_LRU_HASH, 4, 8, 1024, 0, K_SPARSE, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 1024, 0, K_SPARSE, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_ARRAY, 4, 8, 16, 0, K_INDEX, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_PERCPU_ARRAY, 4, 8, 16, 0, K_INDEX, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_LPM_TRIE, 8, 8, 64, BPF_F_NO_PREALLOC, K_LPM, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 16, 0, K_INDEX, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_HASH_OF_MAPS, 4, 4, 64, 0, K_SPARSE, V_TABLE, 16, 12, false },
	/* Only bpf_get_stackid() fills it: empty here. */
	{ BB_MAP_TYPE_STACK_TRACE, 4, 32, 16, 0, K_INDEX, V_TABLE, 16, 0, false },
	{ BB_MAP_TYPE_PROG_ARRAY, 4, 4, 8, 0, K_INDEX, V_TABLE, 8, 6, false },
	{ BB_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, K_INDEX, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4, 0, K_INDEX, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_DEVMAP, 4, 4, 8, 0, K_INDEX, V_IFINDEX, 8, 6, false },
	{ BB_MAP_TYPE_DEVMAP_HASH, 4, 4, 16, 0, K_SPARSE, V_IFINDEX, 16, 12, false },
	{ BB_MAP_TYPE_CPUMAP, 4, 4, 0, 0, K_INDEX, V_QSIZE, 0, 0, false },
	/* An unbound socket: updates fail per element (EOPNOTSUPP), which
	 * still tests that the error and count come through. */
	{ BB_MAP_TYPE_XSKMAP, 4, 4, 4, 0, K_INDEX, V_TABLE, 4, 3, false },
	/* value_size 8: lookups return the socket cookie (4 → ENOSPC). */
	{ BB_MAP_TYPE_SOCKMAP, 4, 8, 8, 0, K_INDEX, V_TABLE, 8, 6, false },
	{ BB_MAP_TYPE_SOCKHASH, 4, 8, 16, 0, K_SPARSE, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, 8, 4, 0, K_INDEX, V_TABLE, 4, 3, true },
	/* Only an attached cgroup program creates elements: empty here. */
	{ BB_MAP_TYPE_CGROUP_STORAGE, 16, 8, 0, 0, K_CGSTORAGE, V_TABLE, 4, 0, false },
	{ BB_MAP_TYPE_PERCPU_CGROUP_STORAGE, 16, 8, 0, 0, K_CGSTORAGE, V_TABLE, 4, 0, false },
	/* No key iteration at all: every command is the kernel's 524. */
	{ BB_MAP_TYPE_QUEUE, 0, 8, 16, 0, K_NONE, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_STACK, 0, 8, 16, 0, K_NONE, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, 0, K_NONE, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, K_NONE, V_TABLE, 4, 0, false },
};

const size_t ntypes = sizeof(types) / sizeof(types[0]);

/* The type's name as the matrix prints it: the table's, in capitals. */
const char *tname(const struct mtype *t)
{
	static char names[BB_MAP_TYPE_COUNT][32];
	char *n = names[t->type];
	const char *s = bb_maptype_name(t->type);

	if (!n[0])
		for (size_t i = 0; s[i] && i + 1 < sizeof(names[0]); i++)
			n[i] = (char)toupper((unsigned char)s[i]);
	return n;
}

/* What the values are: the scenario's choice, else the table's facts. */
enum vkind vk(const struct mtype *t)
{
	struct bb_value_fd fd;

	if (t->values != V_TABLE)
		return t->values;
	if (bb_maptype_percpu(t->type))
		return V_PERCPU;
	if (!bb_maptype_value_fd(t->type, t->value_size, &fd))
		return V_PLAIN;
	switch (fd.kind) {
	case BB_FD_MAP:
		return V_MAPFD;
	case BB_FD_PROG:
		return V_PROGFD;
	case BB_FD_SOCK:
		return t->value_size == sizeof(uint64_t) ? V_SOCKFD : V_SOCKFD_XSK;
	case BB_FD_CGROUP:
		return V_CGROUPFD;
	case BB_FD_PERF_EVENT:
		return V_PERFFD;
	default:
		return V_PLAIN;
	}
}

int create_map(const struct mtype *t)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = t->map_flags);
	int inner = -1, fd;

	if (vk(t) == V_MAPFD) {
		inner = inner_map();
		if (inner < 0)
			return inner;
		opts.inner_map_fd = (uint32_t)inner;
	}
	fd = bpf_map_create((enum bpf_map_type)t->type, NULL, t->key_size, t->value_size,
			    t->max_entries, &opts);
	if (inner >= 0)
		close(inner);
	return fd < 0 ? -errno : fd;
}

uint32_t value_stride(const struct mtype *t)
{
	return bb_maptype_value_stride(t->type, t->value_size, (unsigned int)ncpus);
}

void matrix_types_init(void)
{
	for (size_t i = 0; i < ntypes; i++) {
		if (types[i].type == BB_MAP_TYPE_CPUMAP) {
			/* keys are CPU numbers; one CPU filled, the rest added */
			types[i].max_entries = (uint32_t)ncpus;
			types[i].universe = ncpus;
			types[i].fill = ncpus > 1 ? ncpus - 1 : 1;
		}
	}
}
