/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the project knows about each map type, asked of one table
 * (maptypes.c) by dispatch, the core, the supervisor, acceleration, the
 * simulator, `bpfbatch probe` and the matrix tests. Types the table does not
 * know (newer than it) get the answers of "not ours": family BB_FAM_NONE, no
 * ops, no name, so the kernel's own answer stands for them.
 *
 * Adding a map type: its constant in platform/uapi.h and one row.
 */
#ifndef BB_MAPTYPES_H
#define BB_MAPTYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/uapi.h"

/* How a type's batch lookup walks the map, and its token. */
enum bb_family {
	BB_FAM_NONE = 0, /* not emulated: the kernel's answer stands */
	BB_FAM_HASH,     /* keys can vanish; 4-byte token naming a cursor, htab's contract */
	BB_FAM_ARRAY,    /* array-like: token is the last index, stateless */
	BB_FAM_TRIE,     /* keys can vanish; key_size token (the last key), generic contract */
};

/* What an fd stored in a value names. */
enum bb_fd_kind {
	BB_FD_NONE = 0,
	BB_FD_MAP,
	BB_FD_PROG,
	BB_FD_SOCK,
	BB_FD_PERF_EVENT,
	BB_FD_CGROUP,
};

/* Where a value written by UPDATE carries an fd. */
struct bb_value_fd {
	enum bb_fd_kind kind;
	uint32_t offset;    /* of the u32 fd in the value */
	bool positive_only; /* fd <= 0 means "no program" (devmap, cpumap) */
};

/* Acceleration of legacy element loops (shim/accel). */
enum bb_accel_kind {
	/* GET_NEXT_KEY of a missing key restarts from the first bucket: worth
	 * remembering the successor of a key about to be deleted */
	BB_ACCEL_SUCCESSOR = 1U << 0,
	/* LOOKUP_BATCH walks in GET_NEXT_KEY's order and copies what
	 * LOOKUP_ELEM copies: a walk can be prefetched in windows */
	BB_ACCEL_WINDOW = 1U << 1,
};

/* Name as libbpf and bpftool spell it ("hash", "lpm_trie"); NULL if unknown. */
const char *bb_maptype_name(uint32_t type);

/* The kernel that added the type (BB_KV); BB_KV_NEVER if unknown. */
uint32_t bb_maptype_since(uint32_t type);

enum bb_family bb_maptype_family(uint32_t type);

/* Bytes of the batch token read from in_batch and written to out_batch. */
uint32_t bb_maptype_token_size(uint32_t type, uint32_t key_size);

/* Bytes per element in batch and element value buffers: per-CPU types
 * hold round_up(value_size, 8) per possible CPU. */
bool bb_maptype_percpu(uint32_t type);
uint32_t bb_maptype_value_stride(uint32_t type, uint32_t value_size, unsigned int possible_cpus);

/* A known type without key iteration, which no kernel batches (queues, ring
 * buffers, local storage, ...): answered as the newest kernel does (524). */
bool bb_maptype_unbatchable(uint32_t type);

/* Does the element command @cmd (LOOKUP_ELEM, UPDATE_ELEM, DELETE_ELEM) refuse
 * the type whatever the data (ENOTSUPP, EOPNOTSUPP or EINVAL)? */
bool bb_maptype_refuses_elem(uint32_t type, int cmd);

/* Does the emulation serve batch @cmd for the type? Wherever the type has
 * key iteration and the element commands the batch command is made of. */
bool bb_maptype_emulates(uint32_t type, int cmd);

/* Since when a kernel serves batch @cmd for the type itself (BB_KV);
 * BB_KV_NEVER where even the newest does not. */
uint32_t bb_maptype_native_since(uint32_t type, int cmd);

/* Since when GET_NEXT_KEY works on the type, where that came after the type
 * itself (BB_KV); 0 where it came with it or never (the kernel's answer). */
uint32_t bb_maptype_next_key_since(uint32_t type);

/* Since when MAP_LOOKUP_AND_DELETE_ELEM works on the type; BB_KV_NEVER. */
uint32_t bb_maptype_lookup_and_delete_elem_since(uint32_t type);

/* Does an UPDATE value of a map of this type and value size carry an fd
 * (the caller's, to be taken over by a supervisor)? Fills @fd if so. */
bool bb_maptype_value_fd(uint32_t type, uint32_t value_size, struct bb_value_fd *fd);

/* Does an update of a present key move it to the head of its hash bucket
 * (a new element linked, the old one unlinked)? Then a key walk standing
 * inside that bucket can pass it by (emu_hash_walk.c looks back for it). */
bool bb_maptype_relinks(uint32_t type);

/* Is acceleration @how (enum bb_accel_kind) worth it for the type? */
bool bb_maptype_accel(uint32_t type, unsigned int how);

#endif
