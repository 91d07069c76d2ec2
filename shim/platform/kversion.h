/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Kernel-version facts, in one encoding: since which Linux version each bpf
 * command exists, each per-type or per-argument behaviour the simulator
 * reproduces, and each seccomp/pidfd feature the supervisor leans on. The
 * shim itself never decides by version number (distribution kernels
 * backport); it probes (core/kprobe.h). The simulator, the supervisor,
 * `bpfbatch probe` and the tests consult this table.
 *
 * Adding a kernel rule: one enum entry and one row in kversion.c.
 */
#ifndef BB_KVERSION_H
#define BB_KVERSION_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/uapi.h"

/* A kernel version: major << 16 | minor (the patch level never matters). */
#define BB_KV(maj, min) (((uint32_t)(maj) << 16) | (uint32_t)(min))
#define BB_KV_MAJOR(v) ((unsigned int)((v) >> 16))
#define BB_KV_MINOR(v) ((unsigned int)((v)&0xffffU))
#define BB_KV_NEVER UINT32_MAX /* later than any kernel */

/* The kernel semantics.md measured: the contract the shim keeps. */
#define BB_KV_NEWEST BB_KV(6, 18)

enum bb_kfact {
	BB_KF_NONE = 0, /* no fact: bb_kfact_since() says BB_KV_NEVER */
	BB_KF_CMD0 = 1, /* BB_KF_CMD(c): bpf command c exists (semantics.md §7) */
	/* GET_NEXT_KEY with key = NULL returns the first key (before: EFAULT) */
	BB_KF_GET_NEXT_KEY_NULL = BB_KF_CMD0 + BB_NCMDS,
	BB_KF_GET_NEXT_KEY_LPM_TRIE, /* LPM tries iterate at all */
	/* LOOKUP_ELEM has a flags field (non-zero was EINVAL); BPF_F_LOCK */
	BB_KF_ELEM_FLAGS,
	BB_KF_BATCH_LPM_TRIE,              /* LPM tries: batch lookup, update, delete */
	BB_KF_LOOKUP_AND_DELETE_ELEM_HASH, /* the four hash maps (before: queue/stack only) */
	BB_KF_BATCH_MAP_IN_MAP,            /* ARRAY_OF_MAPS, HASH_OF_MAPS batch ops */
	BB_KF_SECCOMP_USER_NOTIF,          /* SECCOMP_RET_USER_NOTIF and its listener */
	BB_KF_PIDFD_OPEN,
	BB_KF_SECCOMP_NOTIF_CONTINUE, /* SECCOMP_USER_NOTIF_FLAG_CONTINUE */
	BB_KF_PIDFD_GETFD,
	BB_KF_SECCOMP_NOTIF_HUP,          /* POLLHUP on a listener no task uses any more */
	BB_KF_SECCOMP_WAIT_KILLABLE_RECV, /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
	BB_KF_PIDFD_THREAD,               /* pidfd_open(PIDFD_THREAD): a pidfd per thread */
	/* What the ptrace front end leans on, and what tells it apart. */
	BB_KF_PTRACE_SEIZE,       /* PTRACE_SEIZE, PTRACE_LISTEN, PTRACE_EVENT_STOP */
	BB_KF_SECCOMP_RET_TRACE,  /* seccomp filters, SECCOMP_RET_TRACE, PTRACE_O_TRACESECCOMP */
	BB_KF_PTRACE_O_EXITKILL,  /* tracees die with their tracer */
	/* The seccomp stop comes after the syscall-enter stop and the filter
	 * runs again on what the tracer changed (before: seccomp stop first,
	 * no second look) */
	BB_KF_SECCOMP_TRACE_AFTER_ENTRY,
	BB_KF_FDINFO_MAP_ID, /* "map_id:" in a map fd's fdinfo */
	BB_KF_COUNT,
};

#define BB_KF_CMD(c) ((enum bb_kfact)(BB_KF_CMD0 + (c)))

/* The first kernel with fact @f; BB_KV_NEVER for BB_KF_NONE. BB_KF_CMD(c)
 * is a fact for commands 0 .. BB_NCMDS - 1 only. */
uint32_t bb_kfact_since(enum bb_kfact f);

/* Does kernel @kv have fact @f? */
static inline bool bb_kv_has(uint32_t kv, enum bb_kfact f)
{
	return kv >= bb_kfact_since(f);
}

/* "X.Y" or "X.Y.Z": decimal components of 1..4 digits, X > 0, Y < 1000,
 * nothing else. The patch level is accepted and ignored. 0 or -EINVAL. */
int bb_kv_parse(const char *s, uint32_t *kv);

/* The running kernel's version (uname, read once); 0 if it cannot be read. */
uint32_t bb_kv_running(void);

#endif
