/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/maptypes.h"

#include "platform/kversion.h"

#define OP(c) (1U << ((c) - BB_MAP_LOOKUP_BATCH))
#define L OP(BB_MAP_LOOKUP_BATCH)
#define LD OP(BB_MAP_LOOKUP_AND_DELETE_BATCH)
#define U OP(BB_MAP_UPDATE_BATCH)
#define D OP(BB_MAP_DELETE_BATCH)

#define ELEM(c) (1U << (c))
#define NO_LOOKUP ELEM(BB_MAP_LOOKUP_ELEM)
#define NO_UPDATE ELEM(BB_MAP_UPDATE_ELEM)
#define NO_DELETE ELEM(BB_MAP_DELETE_ELEM)

#define FD_AT_0(k) { .kind = (k) }
/* struct bpf_devmap_val / bpf_cpumap_val: a u32, then bpf_prog.fd (> 0: a program). */
#define PROG_FD_AT_4 { .kind = BB_FD_PROG, .offset = 4, .positive_only = true }

#define HASH_BATCH .native = L | LD | U | D, .native_since = BB_KF_CMD(BB_MAP_LOOKUP_BATCH)
#define HASH_ACCEL .accel = BB_ACCEL_SUCCESSOR | BB_ACCEL_WINDOW
#define RELINKS .relinks = true
#define LDE_HASH .lookup_and_delete_elem = BB_KF_LOOKUP_AND_DELETE_ELEM_HASH
#define LDE_QUEUE .lookup_and_delete_elem = BB_KF_CMD(BB_MAP_LOOKUP_AND_DELETE_ELEM)

static const struct row {
	const char *name;
	uint32_t since; /* BB_KV */
	enum bb_family family;
	bool percpu;
	/* ELEM(cmd): element commands the syscall refuses for the type,
	 * whatever the data (semantics.md §6.1); the batch commands the
	 * emulation serves follow from them (bb_maptype_emulates) */
	uint8_t refuses;
	uint8_t native;             /* OP(cmd): batch commands the newest kernel serves */
	enum bb_kfact native_since; /* ... since this fact */
	enum bb_kfact late_next_key;
	enum bb_kfact lookup_and_delete_elem; /* BB_KF_NONE: never */
	struct bb_value_fd fd;
	uint8_t accel; /* enum bb_accel_kind */
	/* An update of a present key links a new element at the head of its
	 * bucket and unlinks the old one (hashtab.c's htab and LRU update,
	 * also behind HASH_OF_MAPS; sock_map.c, devmap.c); the per-CPU hashes
	 * copy the value in place, the cgroup storages too */
	bool relinks;
} rows[BB_MAP_TYPE_COUNT] = {
	[BB_MAP_TYPE_HASH] = { "hash", BB_KV(3, 19), BB_FAM_HASH, HASH_BATCH, LDE_HASH,
			       HASH_ACCEL, RELINKS },
	[BB_MAP_TYPE_ARRAY] = { "array", BB_KV(3, 19), BB_FAM_ARRAY, .refuses = NO_DELETE,
				.native = L | U, .native_since = BB_KF_CMD(BB_MAP_LOOKUP_BATCH),
				.accel = BB_ACCEL_WINDOW },
	[BB_MAP_TYPE_PROG_ARRAY] = { "prog_array", BB_KV(4, 2), BB_FAM_ARRAY,
				     .fd = FD_AT_0(BB_FD_PROG) },
	[BB_MAP_TYPE_PERF_EVENT_ARRAY] = { "perf_event_array", BB_KV(4, 3), BB_FAM_ARRAY,
					   .refuses = NO_LOOKUP,
					   .fd = FD_AT_0(BB_FD_PERF_EVENT) },
	[BB_MAP_TYPE_PERCPU_HASH] = { "percpu_hash", BB_KV(4, 6), BB_FAM_HASH, true, HASH_BATCH,
				      LDE_HASH, HASH_ACCEL },
	[BB_MAP_TYPE_PERCPU_ARRAY] = { "percpu_array", BB_KV(4, 6), BB_FAM_ARRAY, true,
				       .refuses = NO_DELETE, .native = L | U,
				       .native_since = BB_KF_CMD(BB_MAP_LOOKUP_BATCH),
				       .accel = BB_ACCEL_WINDOW },
	/* Only bpf_get_stackid() adds stacks. */
	[BB_MAP_TYPE_STACK_TRACE] = { "stack_trace", BB_KV(4, 6), BB_FAM_HASH,
				      .refuses = NO_UPDATE },
	[BB_MAP_TYPE_CGROUP_ARRAY] = { "cgroup_array", BB_KV(4, 8), BB_FAM_ARRAY,
				       .refuses = NO_LOOKUP, .fd = FD_AT_0(BB_FD_CGROUP) },
	[BB_MAP_TYPE_LRU_HASH] = { "lru_hash", BB_KV(4, 10), BB_FAM_HASH, HASH_BATCH, LDE_HASH,
				   HASH_ACCEL, RELINKS },
	[BB_MAP_TYPE_LRU_PERCPU_HASH] = { "lru_percpu_hash", BB_KV(4, 10), BB_FAM_HASH, true,
					  HASH_BATCH, LDE_HASH, HASH_ACCEL },
	[BB_MAP_TYPE_LPM_TRIE] = { "lpm_trie", BB_KV(4, 11), BB_FAM_TRIE, .native = L | U | D,
				   .native_since = BB_KF_BATCH_LPM_TRIE,
				   .late_next_key = BB_KF_GET_NEXT_KEY_LPM_TRIE },
	[BB_MAP_TYPE_ARRAY_OF_MAPS] = { "array_of_maps", BB_KV(4, 12), BB_FAM_ARRAY,
					.native = L | U, .native_since = BB_KF_BATCH_MAP_IN_MAP,
					.fd = FD_AT_0(BB_FD_MAP) },
	[BB_MAP_TYPE_HASH_OF_MAPS] = { "hash_of_maps", BB_KV(4, 12), BB_FAM_HASH,
				       .native = L | LD | U | D,
				       .native_since = BB_KF_BATCH_MAP_IN_MAP,
				       .fd = FD_AT_0(BB_FD_MAP), .accel = BB_ACCEL_SUCCESSOR,
				       RELINKS },
	[BB_MAP_TYPE_DEVMAP] = { "devmap", BB_KV(4, 14), BB_FAM_ARRAY, .fd = PROG_FD_AT_4 },
	[BB_MAP_TYPE_SOCKMAP] = { "sockmap", BB_KV(4, 14), BB_FAM_ARRAY,
				  .fd = FD_AT_0(BB_FD_SOCK) },
	[BB_MAP_TYPE_CPUMAP] = { "cpumap", BB_KV(4, 15), BB_FAM_ARRAY, .fd = PROG_FD_AT_4 },
	[BB_MAP_TYPE_XSKMAP] = { "xskmap", BB_KV(4, 18), BB_FAM_ARRAY, .refuses = NO_LOOKUP,
				 .fd = FD_AT_0(BB_FD_SOCK) },
	[BB_MAP_TYPE_SOCKHASH] = { "sockhash", BB_KV(4, 18), BB_FAM_HASH,
				   .fd = FD_AT_0(BB_FD_SOCK), .accel = BB_ACCEL_SUCCESSOR,
				   RELINKS },
	[BB_MAP_TYPE_CGROUP_STORAGE] = { "cgroup_storage", BB_KV(4, 19), BB_FAM_HASH,
					 .refuses = NO_DELETE },
	[BB_MAP_TYPE_REUSEPORT_SOCKARRAY] = { "reuseport_sockarray", BB_KV(4, 19), BB_FAM_ARRAY,
					      .fd = FD_AT_0(BB_FD_SOCK) },
	[BB_MAP_TYPE_PERCPU_CGROUP_STORAGE] = { "percpu_cgroup_storage", BB_KV(4, 20),
						BB_FAM_HASH, true, .refuses = NO_DELETE },
	/* No key iteration (BB_FAM_NONE): no kernel batches them. */
	[BB_MAP_TYPE_QUEUE] = { "queue", BB_KV(4, 20), LDE_QUEUE },
	[BB_MAP_TYPE_STACK] = { "stack", BB_KV(4, 20), LDE_QUEUE },
	[BB_MAP_TYPE_SK_STORAGE] = { "sk_storage", BB_KV(5, 2) },
	[BB_MAP_TYPE_DEVMAP_HASH] = { "devmap_hash", BB_KV(5, 4), BB_FAM_HASH,
				      .fd = PROG_FD_AT_4, .accel = BB_ACCEL_SUCCESSOR, RELINKS },
	[BB_MAP_TYPE_STRUCT_OPS] = { "struct_ops", BB_KV(5, 6) },
	[BB_MAP_TYPE_RINGBUF] = { "ringbuf", BB_KV(5, 8) },
	[BB_MAP_TYPE_INODE_STORAGE] = { "inode_storage", BB_KV(5, 10) },
	[BB_MAP_TYPE_TASK_STORAGE] = { "task_storage", BB_KV(5, 11) },
	[BB_MAP_TYPE_BLOOM_FILTER] = { "bloom_filter", BB_KV(5, 16) },
	[BB_MAP_TYPE_USER_RINGBUF] = { "user_ringbuf", BB_KV(6, 1) },
	[BB_MAP_TYPE_CGRP_STORAGE] = { "cgrp_storage", BB_KV(6, 2) },
	[BB_MAP_TYPE_ARENA] = { "arena", BB_KV(6, 9) },
};

/* The row of a known type, else an all-zero one: "not ours". */
static const struct row *row(uint32_t type)
{
	static const struct row unknown;

	return type < BB_MAP_TYPE_COUNT && rows[type].name ? &rows[type] : &unknown;
}

static bool batch_cmd(int cmd)
{
	return BB_IS_BATCH_CMD(cmd);
}

const char *bb_maptype_name(uint32_t type)
{
	return row(type)->name;
}

uint32_t bb_maptype_since(uint32_t type)
{
	return row(type)->name ? row(type)->since : BB_KV_NEVER;
}

enum bb_family bb_maptype_family(uint32_t type)
{
	return row(type)->family;
}

uint32_t bb_maptype_token_size(uint32_t type, uint32_t key_size)
{
	/* htab's token is its u32 bucket index, the emulation's a u32 cursor
	 * id; the generic walk's is the last key. */
	return row(type)->family == BB_FAM_HASH ? sizeof(uint32_t) : key_size;
}

bool bb_maptype_percpu(uint32_t type)
{
	return row(type)->percpu;
}

uint32_t bb_maptype_value_stride(uint32_t type, uint32_t value_size, unsigned int possible_cpus)
{
	if (!row(type)->percpu)
		return value_size;
	return ((value_size + 7) & ~7U) * possible_cpus;
}

bool bb_maptype_unbatchable(uint32_t type)
{
	return row(type)->name && row(type)->family == BB_FAM_NONE;
}

bool bb_maptype_refuses_elem(uint32_t type, int cmd)
{
	return cmd >= 0 && cmd < 8 && (row(type)->refuses & ELEM(cmd));
}

bool bb_maptype_emulates(uint32_t type, int cmd)
{
	bool lookup = !bb_maptype_refuses_elem(type, BB_MAP_LOOKUP_ELEM);
	bool update = !bb_maptype_refuses_elem(type, BB_MAP_UPDATE_ELEM);
	bool delete = !bb_maptype_refuses_elem(type, BB_MAP_DELETE_ELEM);

	if (row(type)->family == BB_FAM_NONE)
		return false;
	switch (cmd) {
	case BB_MAP_LOOKUP_BATCH:
		return lookup;
	case BB_MAP_LOOKUP_AND_DELETE_BATCH:
		return lookup && delete;
	case BB_MAP_UPDATE_BATCH:
		return update;
	case BB_MAP_DELETE_BATCH:
		return delete;
	}
	return false;
}

uint32_t bb_maptype_native_since(uint32_t type, int cmd)
{
	const struct row *r = row(type);

	if (!batch_cmd(cmd) || !(r->native & OP(cmd)))
		return BB_KV_NEVER;
	return bb_kfact_since(r->native_since);
}

uint32_t bb_maptype_next_key_since(uint32_t type)
{
	enum bb_kfact f = row(type)->late_next_key;

	return f == BB_KF_NONE ? 0 : bb_kfact_since(f);
}

uint32_t bb_maptype_lookup_and_delete_elem_since(uint32_t type)
{
	return bb_kfact_since(row(type)->lookup_and_delete_elem);
}

bool bb_maptype_value_fd(uint32_t type, uint32_t value_size, struct bb_value_fd *fd)
{
	const struct bb_value_fd *f = &row(type)->fd;

	/* devmap/cpumap values are the bare u32 unless the map was made with
	 * the larger struct. */
	if (f->kind == BB_FD_NONE || value_size < f->offset + sizeof(uint32_t))
		return false;
	*fd = *f;
	return true;
}

bool bb_maptype_relinks(uint32_t type)
{
	return row(type)->relinks;
}

bool bb_maptype_accel(uint32_t type, unsigned int how)
{
	return (row(type)->accel & how) == how && how;
}
