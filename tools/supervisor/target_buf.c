/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/target_buf.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

int tb_mirror_new(struct tb_mirror *m, unsigned char *plain, size_t len, size_t writable,
		  void *never)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), body;
	unsigned char *p;

	m->map = NULL;
	m->maplen = 0;
	if (writable >= len) {
		m->local = plain;
		return 0;
	}
	if (writable == 0) {
		m->local = never;
		return 0;
	}
	/* The usable prefix ends exactly at a PROT_NONE page, as the
	 * target's does (the core rounds its checks up to pages). */
	body = (writable + page - 1) / page * page;
	p = mmap(NULL, body + page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	if (mprotect(p, body, PROT_READ | PROT_WRITE)) {
		munmap(p, body + page);
		return -ENOMEM;
	}
	m->map = p;
	m->maplen = body + page;
	m->local = p + body - writable;
	return 0;
}

void tb_mirror_free(struct tb_mirror *m)
{
	if (m->map)
		munmap(m->map, m->maplen);
	m->map = NULL;
}
