/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Reading the caller's batch attr the way the kernel does (__sys_bpf):
 * size limits, zero tail, copy of min(size, kernel size) bytes, and the
 * CHECK_ATTR rule that bytes past the batch member must be zero.
 */
#ifndef BB_ATTR_H
#define BB_ATTR_H

#include <stdint.h>

#include "platform/uapi.h"

/* Fill @out from the caller's @uattr of @size bytes. 0 or -E2BIG/-EFAULT/-EINVAL. */
long bb_attr_ingest(const void *uattr, unsigned int size, struct bb_batch_attr *out);

/* The same checks on a copy a front end already holds (the supervisor's of
 * its target's attr): @attr is readable for @size bytes. 0 or -E2BIG/-EINVAL. */
long bb_attr_parse(const void *attr, unsigned int size, struct bb_batch_attr *out);

/* Where the kernel writes the result count: always in the caller's attr,
 * whatever size the caller passed. */
static inline uint32_t *bb_attr_count_ptr(void *uattr)
{
	return &((struct bb_batch_attr *)uattr)->count;
}

/* Write the result count there (checked): 0 or -EFAULT. */
int bb_attr_put_count(void *uattr, uint32_t n);

#endif
