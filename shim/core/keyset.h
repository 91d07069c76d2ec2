/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A set of fixed-size keys that keeps their insertion order: the keys an
 * emulated walk met, in walk order, so a walk that the kernel restarted
 * (GET_NEXT_KEY of a vanished key goes back to the first key) never returns
 * one twice, and a token can name a place in it. Insertions can be rolled back to an
 * earlier size, so a failed call leaves the iteration as it was.
 * Memory: key_size * 1.0-2.0 (the keys, in order) + 6.7-13.4 (the index)
 * bytes per key.
 */
#ifndef BB_KEYSET_H
#define BB_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bb_keyset_line; /* keyset.c */

struct bb_keyset {
	uint32_t key_size;
	uint32_t stride; /* bytes per key in the arena (at least 1) */
	uint32_t n;      /* entries */
	uint32_t cap;    /* entries the arena holds */
	uint32_t mask;   /* index lines - 1 (a power of two), when there are lines */
	struct bb_keyset_line *lines;
	unsigned char *arena;
};

void bb_keyset_init(struct bb_keyset *s, uint32_t key_size);
void bb_keyset_free(struct bb_keyset *s);
bool bb_keyset_has(const struct bb_keyset *s, const void *key);
/* 0 or -ENOMEM. The key must not be in the set. */
int bb_keyset_add(struct bb_keyset *s, const void *key);
/* Add the key if absent, hashing it once: 1 added, 0 already there, -ENOMEM. */
int bb_keyset_insert(struct bb_keyset *s, const void *key);
/* Start fetching what inserting @key will read (a hint, changes nothing):
 * hint a chunk of keys first, then insert them, and their cache misses
 * overlap instead of coming one after another. */
void bb_keyset_prefetch(const struct bb_keyset *s, const void *key);
/* Forget the entries added after the set had @n entries. */
void bb_keyset_truncate(struct bb_keyset *s, uint32_t n);
size_t bb_keyset_bytes(const struct bb_keyset *s);
/* The key of entry @i (< n), in insertion order. */
const void *bb_keyset_key(const struct bb_keyset *s, uint32_t i);

#endif
