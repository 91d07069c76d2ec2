/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The slice of the bpf(2) ABI the shim needs, written from the ABI itself so
 * the library builds against any distribution's kernel headers (or none).
 */
#ifndef BB_UAPI_H
#define BB_UAPI_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of @type up to the end of @member: where a command's attr ends. */
#define bb_offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

#ifndef __NR_bpf
#if defined(__x86_64__)
#define __NR_bpf 321
#elif defined(__aarch64__)
#define __NR_bpf 280
#else
#error "unsupported architecture: define __NR_bpf"
#endif
#endif

/* bpf(2) commands (enum bpf_cmd); since when each exists: platform/kversion.c. */
enum {
	BB_MAP_CREATE = 0,
	BB_MAP_LOOKUP_ELEM = 1,
	BB_MAP_UPDATE_ELEM = 2,
	BB_MAP_DELETE_ELEM = 3,
	BB_MAP_GET_NEXT_KEY = 4,
	BB_PROG_LOAD = 5,
	BB_OBJ_PIN = 6,
	BB_OBJ_GET = 7,
	BB_PROG_ATTACH = 8,
	BB_PROG_DETACH = 9,
	BB_PROG_TEST_RUN = 10, /* 4.12 */
	BB_PROG_GET_NEXT_ID = 11,
	BB_MAP_GET_NEXT_ID = 12,
	BB_PROG_GET_FD_BY_ID = 13,
	BB_MAP_GET_FD_BY_ID = 14,
	BB_OBJ_GET_INFO_BY_FD = 15,
	BB_PROG_QUERY = 16,
	BB_RAW_TRACEPOINT_OPEN = 17,
	BB_BTF_LOAD = 18,
	BB_BTF_GET_FD_BY_ID = 19,
	BB_TASK_FD_QUERY = 20,
	BB_MAP_LOOKUP_AND_DELETE_ELEM = 21,
	BB_MAP_FREEZE = 22,
	BB_BTF_GET_NEXT_ID = 23,
	BB_MAP_LOOKUP_BATCH = 24,
	BB_MAP_LOOKUP_AND_DELETE_BATCH = 25,
	BB_MAP_UPDATE_BATCH = 26,
	BB_MAP_DELETE_BATCH = 27,
	BB_LINK_CREATE = 28,
	BB_LINK_UPDATE = 29,
	BB_LINK_GET_FD_BY_ID = 30,
	BB_LINK_GET_NEXT_ID = 31,
	BB_ENABLE_STATS = 32,
	BB_ITER_CREATE = 33,
	BB_LINK_DETACH = 34,
	BB_PROG_BIND_MAP = 35,
	BB_TOKEN_CREATE = 36,
	BB_PROG_STREAM_READ_BY_FD = 37,
	BB_NCMDS = 38, /* commands the newest kernel knows: 0 .. BB_NCMDS - 1 */
};

#define BB_IS_BATCH_CMD(c) ((c) >= BB_MAP_LOOKUP_BATCH && (c) <= BB_MAP_DELETE_BATCH)

/* Map types (enum bpf_map_type); what is known about each: core/maptypes.c. */
enum {
	BB_MAP_TYPE_UNSPEC = 0,
	BB_MAP_TYPE_HASH = 1,
	BB_MAP_TYPE_ARRAY = 2,
	BB_MAP_TYPE_PROG_ARRAY = 3,
	BB_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BB_MAP_TYPE_PERCPU_HASH = 5,
	BB_MAP_TYPE_PERCPU_ARRAY = 6,
	BB_MAP_TYPE_STACK_TRACE = 7,
	BB_MAP_TYPE_CGROUP_ARRAY = 8,
	BB_MAP_TYPE_LRU_HASH = 9,
	BB_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BB_MAP_TYPE_LPM_TRIE = 11,
	BB_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BB_MAP_TYPE_HASH_OF_MAPS = 13,
	BB_MAP_TYPE_DEVMAP = 14,
	BB_MAP_TYPE_SOCKMAP = 15,
	BB_MAP_TYPE_CPUMAP = 16,
	BB_MAP_TYPE_XSKMAP = 17,
	BB_MAP_TYPE_SOCKHASH = 18,
	BB_MAP_TYPE_CGROUP_STORAGE = 19,
	BB_MAP_TYPE_REUSEPORT_SOCKARRAY = 20,
	BB_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21,
	BB_MAP_TYPE_QUEUE = 22,
	BB_MAP_TYPE_STACK = 23,
	BB_MAP_TYPE_SK_STORAGE = 24,
	BB_MAP_TYPE_DEVMAP_HASH = 25,
	BB_MAP_TYPE_STRUCT_OPS = 26,
	BB_MAP_TYPE_RINGBUF = 27,
	BB_MAP_TYPE_INODE_STORAGE = 28,
	BB_MAP_TYPE_TASK_STORAGE = 29,
	BB_MAP_TYPE_BLOOM_FILTER = 30,
	BB_MAP_TYPE_USER_RINGBUF = 31,
	BB_MAP_TYPE_CGRP_STORAGE = 32,
	BB_MAP_TYPE_ARENA = 33,
	BB_MAP_TYPE_COUNT = 34, /* types the newest kernel knows: 0 .. COUNT - 1 */
	BB_MAP_TYPE_MAX = 64,    /* bound for per-type state, room for newer types */
};

#define BB_F_NO_PREALLOC (1U << 0)   /* map_flags */
#define BB_F_NO_COMMON_LRU (1U << 1) /* map_flags */
#define BB_F_RDONLY (1U << 3)        /* map_flags; open_flags of MAP_GET_FD_BY_ID */
#define BB_F_WRONLY (1U << 4)
#define BB_EXIST 2ULL                /* UPDATE_ELEM flags: BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2 */
#define BB_F_RDONLY_PROG (1U << 7)   /* map_flags, 5.2 */
#define BB_F_WRONLY_PROG (1U << 8)   /* map_flags, 5.2 */
#define BB_F_LOCK 4ULL               /* elem_flags / per-element flags */
#define BB_ENOTSUPP 524              /* kernel-internal errno that leaks to user space */

/* union bpf_attr, batch member: map_fd is at offset 36, not 0. */
struct bb_batch_attr {
	uint64_t in_batch;
	uint64_t out_batch;
	uint64_t keys;
	uint64_t values;
	uint32_t count;
	uint32_t map_fd;
	uint64_t elem_flags;
	uint64_t flags;
};
#define BB_BATCH_ATTR_SIZE 56
_Static_assert(sizeof(struct bb_batch_attr) == BB_BATCH_ATTR_SIZE, "batch attr layout");
_Static_assert(offsetof(struct bb_batch_attr, count) == 32, "batch attr layout");
_Static_assert(offsetof(struct bb_batch_attr, map_fd) == 36, "batch attr layout");

/* The newest kernel's sizeof(union bpf_attr) (6.18): bytes past the batch
 * member and below this must be zero (EINVAL), beyond it E2BIG. */
#define BB_KERNEL_ATTR_SIZE 168
#define BB_PAGE_SIZE 4096

/* union bpf_attr, per-element map commands. */
struct bb_elem_attr {
	uint32_t map_fd;
	uint32_t pad;
	uint64_t key;
	uint64_t value; /* next_key for GET_NEXT_KEY */
	uint64_t flags;
};

/* union bpf_attr, MAP_GET_FD_BY_ID. */
struct bb_get_id_attr {
	uint32_t id;
	uint32_t next_id;
	uint32_t open_flags;
};

/* union bpf_attr, OBJ_GET_INFO_BY_FD. */
struct bb_info_attr {
	uint32_t bpf_fd;
	uint32_t info_len;
	uint64_t info;
};

/* Leading fields of struct bpf_map_info (stable since 4.13). */
struct bb_map_info {
	uint32_t type;
	uint32_t id;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
};

/* union bpf_attr, MAP_CREATE: the fields every kernel with bpf() takes. */
struct bb_map_create_attr {
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
};

/* One eBPF instruction (struct bpf_insn). */
struct bb_insn {
	uint8_t code;
	uint8_t regs; /* dst_reg in the low nibble, src_reg in the high one */
	int16_t off;
	int32_t imm;
};

#define BB_PROG_TYPE_XDP 6 /* 4.8 */
#define BB_XDP_PASS 2

/* union bpf_attr, PROG_LOAD: up to prog_flags is what 4.12 takes (its
 * CHECK_ATTR stops there); prog_name came in 4.15. */
struct bb_prog_load_attr {
	uint32_t prog_type;
	uint32_t insn_cnt;
	uint64_t insns;
	uint64_t license;
	uint32_t log_level;
	uint32_t log_size;
	uint64_t log_buf;
	uint32_t kern_version;
	uint32_t prog_flags;
	char prog_name[16];
};
#define BB_PROG_LOAD_ATTR_SIZE_4_12 48
_Static_assert(offsetof(struct bb_prog_load_attr, prog_name) == 48, "prog load attr layout");

/* union bpf_attr, PROG_TEST_RUN as 4.12 has it (ends at duration). */
struct bb_test_run_attr {
	uint32_t prog_fd;
	uint32_t retval;
	uint32_t data_size_in;
	uint32_t data_size_out; /* out; since 5.0 also a size hint in */
	uint64_t data_in;
	uint64_t data_out;
	uint32_t repeat;
	uint32_t duration;
};
_Static_assert(sizeof(struct bb_test_run_attr) == 40, "test run attr layout");

#endif
