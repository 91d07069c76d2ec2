/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Buffers that end where the caller's memory ends (the tokens tests). */
#ifndef BB_TEST_GUARD_H
#define BB_TEST_GUARD_H

#include <criterion/criterion.h>
#include <stddef.h>
#include <sys/mman.h>

/* @len bytes that end right before a page that cannot be touched. */
static inline void *ends_at_guard(size_t len)
{
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	cr_assert_eq(mprotect(p + 2 * 4096, 4096, PROT_NONE), 0);
	cr_assert_leq(len, 2 * 4096);
	return p + 2 * 4096 - len;
}

#endif
