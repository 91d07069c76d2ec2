/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/kversion.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/utsname.h>

/* One row per fact. Commands: semantics.md §7; the rest: semantics.md §7
 * "Feature details", §6.2, and design.md "Seccomp facts". */
static const uint32_t since[BB_KF_COUNT] = {
	[BB_KF_CMD(BB_MAP_CREATE)] = BB_KV(3, 18),
	[BB_KF_CMD(BB_MAP_LOOKUP_ELEM)] = BB_KV(3, 18),
	[BB_KF_CMD(BB_MAP_UPDATE_ELEM)] = BB_KV(3, 18),
	[BB_KF_CMD(BB_MAP_DELETE_ELEM)] = BB_KV(3, 18),
	[BB_KF_CMD(BB_MAP_GET_NEXT_KEY)] = BB_KV(3, 18),
	[BB_KF_CMD(BB_PROG_LOAD)] = BB_KV(3, 18),
	[BB_KF_CMD(BB_OBJ_PIN)] = BB_KV(4, 4),
	[BB_KF_CMD(BB_OBJ_GET)] = BB_KV(4, 4),
	[BB_KF_CMD(BB_PROG_ATTACH)] = BB_KV(4, 10),
	[BB_KF_CMD(BB_PROG_DETACH)] = BB_KV(4, 10),
	[BB_KF_CMD(BB_PROG_TEST_RUN)] = BB_KV(4, 12),
	[BB_KF_CMD(BB_PROG_GET_NEXT_ID)] = BB_KV(4, 13),
	[BB_KF_CMD(BB_MAP_GET_NEXT_ID)] = BB_KV(4, 13),
	[BB_KF_CMD(BB_PROG_GET_FD_BY_ID)] = BB_KV(4, 13),
	[BB_KF_CMD(BB_MAP_GET_FD_BY_ID)] = BB_KV(4, 13),
	[BB_KF_CMD(BB_OBJ_GET_INFO_BY_FD)] = BB_KV(4, 13), /* before: fdinfo only */
	[BB_KF_CMD(BB_PROG_QUERY)] = BB_KV(4, 15),
	[BB_KF_CMD(BB_RAW_TRACEPOINT_OPEN)] = BB_KV(4, 17),
	[BB_KF_CMD(BB_BTF_LOAD)] = BB_KV(4, 18),
	[BB_KF_CMD(BB_BTF_GET_FD_BY_ID)] = BB_KV(4, 18),
	[BB_KF_CMD(BB_TASK_FD_QUERY)] = BB_KV(4, 18),
	/* queue/stack only at first; the hash maps: BB_KF_LOOKUP_AND_DELETE_ELEM_HASH */
	[BB_KF_CMD(BB_MAP_LOOKUP_AND_DELETE_ELEM)] = BB_KV(4, 20),
	[BB_KF_CMD(BB_MAP_FREEZE)] = BB_KV(5, 2), /* and with it frozen maps */
	[BB_KF_CMD(BB_BTF_GET_NEXT_ID)] = BB_KV(5, 4),
	/* hash and array maps; LPM tries and map-in-map later (below) */
	[BB_KF_CMD(BB_MAP_LOOKUP_BATCH)] = BB_KV(5, 6),
	[BB_KF_CMD(BB_MAP_LOOKUP_AND_DELETE_BATCH)] = BB_KV(5, 6),
	[BB_KF_CMD(BB_MAP_UPDATE_BATCH)] = BB_KV(5, 6),
	[BB_KF_CMD(BB_MAP_DELETE_BATCH)] = BB_KV(5, 6),
	[BB_KF_CMD(BB_LINK_CREATE)] = BB_KV(5, 7),
	[BB_KF_CMD(BB_LINK_UPDATE)] = BB_KV(5, 7),
	[BB_KF_CMD(BB_LINK_GET_FD_BY_ID)] = BB_KV(5, 8),
	[BB_KF_CMD(BB_LINK_GET_NEXT_ID)] = BB_KV(5, 8),
	[BB_KF_CMD(BB_ENABLE_STATS)] = BB_KV(5, 8),
	[BB_KF_CMD(BB_ITER_CREATE)] = BB_KV(5, 8),
	[BB_KF_CMD(BB_LINK_DETACH)] = BB_KV(5, 9),
	[BB_KF_CMD(BB_PROG_BIND_MAP)] = BB_KV(5, 10),
	[BB_KF_CMD(BB_TOKEN_CREATE)] = BB_KV(6, 9),
	[BB_KF_CMD(BB_PROG_STREAM_READ_BY_FD)] = BB_KV(6, 17),

	[BB_KF_GET_NEXT_KEY_NULL] = BB_KV(4, 12),
	[BB_KF_GET_NEXT_KEY_LPM_TRIE] = BB_KV(4, 16),
	[BB_KF_ELEM_FLAGS] = BB_KV(5, 1),
	[BB_KF_BATCH_LPM_TRIE] = BB_KV(5, 13),
	[BB_KF_LOOKUP_AND_DELETE_ELEM_HASH] = BB_KV(5, 14),
	[BB_KF_BATCH_MAP_IN_MAP] = BB_KV(5, 19),

	[BB_KF_SECCOMP_USER_NOTIF] = BB_KV(5, 0),
	[BB_KF_PIDFD_OPEN] = BB_KV(5, 3),
	[BB_KF_SECCOMP_NOTIF_CONTINUE] = BB_KV(5, 5),
	[BB_KF_PIDFD_GETFD] = BB_KV(5, 6),
	[BB_KF_SECCOMP_NOTIF_HUP] = BB_KV(5, 8),
	[BB_KF_SECCOMP_WAIT_KILLABLE_RECV] = BB_KV(5, 19),
	[BB_KF_PIDFD_THREAD] = BB_KV(6, 9),

	[BB_KF_PTRACE_SEIZE] = BB_KV(3, 4),
	[BB_KF_SECCOMP_RET_TRACE] = BB_KV(3, 5),
	[BB_KF_PTRACE_O_EXITKILL] = BB_KV(3, 8),
	[BB_KF_SECCOMP_TRACE_AFTER_ENTRY] = BB_KV(4, 8), /* 93e35efb8de4 */
	[BB_KF_FDINFO_MAP_ID] = BB_KV(4, 16),            /* 4316b40914a8 */
};

uint32_t bb_kfact_since(enum bb_kfact f)
{
	if (f <= BB_KF_NONE || f >= BB_KF_COUNT || !since[f])
		return BB_KV_NEVER;
	return since[f];
}

/* One decimal component: 1..4 digits, no sign, no spaces. */
static const char *parse_part(const char *s, unsigned int *out)
{
	unsigned int v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		if (++n > 4)
			return NULL;
		v = v * 10 + (unsigned int)(*s++ - '0');
	}
	if (n == 0)
		return NULL;
	*out = v;
	return s;
}

/* "X.Y" at the start of @s; returns what follows, or NULL. */
static const char *parse_major_minor(const char *s, uint32_t *kv)
{
	unsigned int maj, min;

	s = parse_part(s, &maj);
	if (!s || *s++ != '.')
		return NULL;
	s = parse_part(s, &min);
	if (!s || maj == 0 || min >= 1000)
		return NULL;
	*kv = BB_KV(maj, min);
	return s;
}

int bb_kv_parse(const char *s, uint32_t *kv)
{
	unsigned int patch;
	uint32_t v;

	if (!s || !(s = parse_major_minor(s, &v)))
		return -EINVAL;
	if (*s == '.' && !(s = parse_part(s + 1, &patch)))
		return -EINVAL;
	if (*s != '\0')
		return -EINVAL;
	*kv = v;
	return 0;
}

uint32_t bb_kv_running(void)
{
	/* Written at most with the same value by racing first callers. */
	static _Atomic uint32_t cached;
	uint32_t v = atomic_load_explicit(&cached, memory_order_relaxed);
	struct utsname u;

	if (v)
		return v;
	/* "6.18.44-1-amd64": the release starts with X.Y. */
	if (uname(&u) < 0 || !parse_major_minor(u.release, &v))
		return 0;
	atomic_store_explicit(&cached, v, memory_order_relaxed);
	return v;
}
