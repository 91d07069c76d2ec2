/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The C API front end: libbpf's shapes and conventions (negative errno
 * returned and set; count written back unconditionally). */
#include "bpfbatch.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/dispatch.h"
#include "platform/uapi.h"

#define offsetofend(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/*
 * libbpf's OPTS_VALID: NULL is fine; a size that does not even cover sz, or
 * a non-zero byte past the fields this library knows (a caller built
 * against a newer header asking for something not done here), is refused
 * rather than silently ignored. Fields the caller's older opts lack read as 0.
 */
static bool opts_valid(const struct bpfbatch_opts *opts)
{
	const unsigned char *p = (const unsigned char *)opts;

	if (!opts)
		return true;
	if (opts->sz < sizeof(opts->sz))
		return false;
	for (size_t i = offsetofend(struct bpfbatch_opts, flags); i < opts->sz; i++)
		if (p[i])
			return false;
	return true;
}

static int batch(int cmd, int fd, const void *in_batch, void *out_batch, const void *keys,
		 const void *values, uint32_t *count, const struct bpfbatch_opts *opts)
{
	struct bb_batch_attr a;
	long r;

	/* As libbpf: before anything is read or written, count included. */
	if (!opts_valid(opts)) {
		errno = EINVAL;
		return -EINVAL;
	}
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.in_batch = (uint64_t)(uintptr_t)in_batch;
	a.out_batch = (uint64_t)(uintptr_t)out_batch;
	a.keys = (uint64_t)(uintptr_t)keys;
	a.values = (uint64_t)(uintptr_t)values;
	a.count = count ? *count : 0;
	/* Fields past what the caller's (older) opts has read as zero. */
	if (opts && opts->sz >= offsetofend(struct bpfbatch_opts, elem_flags))
		a.elem_flags = opts->elem_flags;
	if (opts && opts->sz >= offsetofend(struct bpfbatch_opts, flags))
		a.flags = opts->flags;

	r = bb_dispatch_batch(cmd, &a, sizeof(a));
	if (count)
		*count = a.count;
	if (r < 0) {
		errno = (int)-r;
		return (int)r;
	}
	return 0;
}

int bpfbatch_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys,
			      void *values, uint32_t *count, const struct bpfbatch_opts *opts)
{
	return batch(BB_MAP_LOOKUP_BATCH, fd, in_batch, out_batch, keys, values, count, opts);
}

int bpfbatch_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch, void *keys,
					 void *values, uint32_t *count,
					 const struct bpfbatch_opts *opts)
{
	return batch(BB_MAP_LOOKUP_AND_DELETE_BATCH, fd, in_batch, out_batch, keys, values,
		     count, opts);
}

int bpfbatch_map_update_batch(int fd, const void *keys, const void *values, uint32_t *count,
			      const struct bpfbatch_opts *opts)
{
	return batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, values, count, opts);
}

int bpfbatch_map_delete_batch(int fd, const void *keys, uint32_t *count,
			      const struct bpfbatch_opts *opts)
{
	return batch(BB_MAP_DELETE_BATCH, fd, NULL, NULL, keys, NULL, count, opts);
}
