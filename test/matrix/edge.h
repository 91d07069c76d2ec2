/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Buffers as a careful caller would check them: each one ends exactly where
 * a PROT_NONE page begins, so a byte read or written past its end faults
 * (EFAULT in the answer, or a crash), and the bytes before it, up to the
 * start of its mapping, hold a pattern that must survive the call. Tokens of
 * 4 bytes placed so catch anyone who reads or writes key_size bytes instead.
 */
#ifndef MATRIX_EDGE_H
#define MATRIX_EDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct edge {
	uint8_t *map;  /* the mapping: guard bytes, the buffer, a PROT_NONE page */
	size_t maplen;
	uint8_t *p;    /* the buffer: p + len is the first byte of the PROT_NONE page */
	size_t len;
};

/* A zeroed buffer of @len bytes (0 allowed: p is then the PROT_NONE page);
 * exits on failure. edge_free() releases it. */
void edge_new(struct edge *e, size_t len);
void edge_free(struct edge *e);

/* Fill the bytes before the buffer with the guard pattern. */
void edge_arm(struct edge *e);

/* Do the bytes before the buffer still hold the pattern? */
bool edge_intact(const struct edge *e);

#endif
