/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/attr.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "platform/mem.h"

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* The caller's memory is read with checked copies (a bad pointer is EFAULT,
 * not a crash); a front end's own copy of it is read as it is. Inlined twice
 * so the preload path keeps its code and cost. */
static inline __attribute__((always_inline)) int copy_in(void *dst, const void *src, size_t n,
							bool checked)
{
	if (checked)
		return bb_mem_read(dst, src, n);
	memcpy(dst, src, n);
	return 0;
}

static inline __attribute__((always_inline)) long
read_attr(const void *uattr, unsigned int size, struct bb_batch_attr *out, bool checked)
{
	unsigned char buf[BB_PAGE_SIZE];
	unsigned int n = size < BB_KERNEL_ATTR_SIZE ? size : BB_KERNEL_ATTR_SIZE;

	if (size > BB_PAGE_SIZE)
		return -E2BIG;
	if (size > BB_KERNEL_ATTR_SIZE) {
		/* The kernel checks the tail it does not know before copying. */
		if (copy_in(buf, (const unsigned char *)uattr + BB_KERNEL_ATTR_SIZE,
			    size - BB_KERNEL_ATTR_SIZE, checked))
			return -EFAULT;
		if (!all_zero(buf, size - BB_KERNEL_ATTR_SIZE))
			return -E2BIG;
	}
	memset(buf, 0, BB_KERNEL_ATTR_SIZE);
	if (copy_in(buf, uattr, n, checked))
		return -EFAULT;
	if (!all_zero(buf + BB_BATCH_ATTR_SIZE, BB_KERNEL_ATTR_SIZE - BB_BATCH_ATTR_SIZE))
		return -EINVAL;
	memcpy(out, buf, sizeof(*out));
	return 0;
}

long bb_attr_ingest(const void *uattr, unsigned int size, struct bb_batch_attr *out)
{
	return read_attr(uattr, size, out, true);
}

long bb_attr_parse(const void *attr, unsigned int size, struct bb_batch_attr *out)
{
	return read_attr(attr, size, out, false);
}

int bb_attr_put_count(void *uattr, uint32_t n)
{
	return bb_mem_write(bb_attr_count_ptr(uattr), &n, sizeof(n));
}
