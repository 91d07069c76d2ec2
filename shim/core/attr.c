/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/attr.h"

#include <errno.h>
#include <string.h>

#include "platform/mem.h"

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

long bb_attr_ingest(const void *uattr, unsigned int size, struct bb_batch_attr *out)
{
	unsigned char buf[BB_PAGE_SIZE];
	unsigned int n = size < BB_KERNEL_ATTR_SIZE ? size : BB_KERNEL_ATTR_SIZE;

	if (size > BB_PAGE_SIZE)
		return -E2BIG;
	if (size > BB_KERNEL_ATTR_SIZE) {
		/* The kernel checks the tail it does not know before copying. */
		if (bb_mem_read(buf, (const unsigned char *)uattr + BB_KERNEL_ATTR_SIZE,
				size - BB_KERNEL_ATTR_SIZE))
			return -EFAULT;
		if (!all_zero(buf, size - BB_KERNEL_ATTR_SIZE))
			return -E2BIG;
	}
	memset(buf, 0, BB_KERNEL_ATTR_SIZE);
	if (bb_mem_read(buf, uattr, n))
		return -EFAULT;
	if (!all_zero(buf + BB_BATCH_ATTR_SIZE, BB_KERNEL_ATTR_SIZE - BB_BATCH_ATTR_SIZE))
		return -EINVAL;
	memcpy(out, buf, sizeof(*out));
	return 0;
}
