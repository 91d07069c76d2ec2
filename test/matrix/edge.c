/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "edge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PATTERN 0xa5
#define MIN_GUARD 64 /* at least this many guard bytes before any buffer */

void edge_new(struct edge *e, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (len + MIN_GUARD + page - 1) / page * page;

	e->maplen = body + page;
	e->map = mmap(NULL, e->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->map == MAP_FAILED || mprotect(e->map + body, page, PROT_NONE)) {
		perror("matrix: edge buffer");
		exit(1);
	}
	e->len = len;
	e->p = e->map + body - len;
	edge_arm(e);
}

void edge_free(struct edge *e)
{
	if (e->map)
		munmap(e->map, e->maplen);
	e->map = NULL;
}

void edge_arm(struct edge *e)
{
	memset(e->map, PATTERN, (size_t)(e->p - e->map));
}

bool edge_intact(const struct edge *e)
{
	for (const uint8_t *b = e->map; b < e->p; b++)
		if (*b != PATTERN)
			return false;
	return true;
}
