/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/keyset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time, multiply and fold: this runs once per returned
 * element, next to two syscalls, and must stay small beside them. Keys are
 * the map's, not an adversary's; a bad spread only lengthens chains. */
static uint32_t hash_key(const void *key, uint32_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	if (len) { /* the tail: a variable-length memcpy would be a call */
		uint32_t lo = 0, i = 0;

		if (len >= 4) {
			memcpy(&lo, p, 4);
			i = 4;
		}
		w = lo;
		for (; i < len; i++)
			w |= (uint64_t)p[i] << (8 * i);
		h = (h ^ w) * 0x94d049bb133111ebULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(h ^ (h >> 32));
}

static unsigned char *entry(const struct bb_keyset *s, uint32_t i)
{
	return s->arena + (size_t)i * s->stride;
}

static uint32_t *entry_next(const struct bb_keyset *s, uint32_t i)
{
	return (uint32_t *)entry(s, i);
}

static uint32_t *entry_hash(const struct bb_keyset *s, uint32_t i)
{
	return (uint32_t *)(entry(s, i) + sizeof(uint32_t));
}

static void *entry_key(const struct bb_keyset *s, uint32_t i)
{
	return entry(s, i) + 2 * sizeof(uint32_t);
}

void bb_keyset_init(struct bb_keyset *s, uint32_t key_size)
{
	memset(s, 0, sizeof(*s));
	s->key_size = key_size;
	s->stride = (uint32_t)(2 * sizeof(uint32_t) + ((key_size + 3) & ~3U));
}

void bb_keyset_free(struct bb_keyset *s)
{
	free(s->heads);
	free(s->arena);
	bb_keyset_init(s, s->key_size);
}

bool bb_keyset_has(const struct bb_keyset *s, const void *key)
{
	if (!s->nbuckets)
		return false;
	uint32_t h = hash_key(key, s->key_size);

	for (uint32_t i = s->heads[h & (s->nbuckets - 1)]; i; i = *entry_next(s, i - 1))
		if (*entry_hash(s, i - 1) == h && memcmp(entry_key(s, i - 1), key, s->key_size) == 0)
			return true;
	return false;
}

static void link_entry(struct bb_keyset *s, uint32_t i)
{
	uint32_t b = *entry_hash(s, i) & (s->nbuckets - 1);

	*entry_next(s, i) = s->heads[b];
	s->heads[b] = i + 1;
}

/* Relinking in index order keeps the newest entry at the head of its chain,
 * which truncate relies on. */
static int rehash(struct bb_keyset *s, uint32_t nbuckets)
{
	uint32_t *heads = calloc(nbuckets, sizeof(*heads));

	if (!heads)
		return -ENOMEM;
	free(s->heads);
	s->heads = heads;
	s->nbuckets = nbuckets;
	for (uint32_t i = 0; i < s->n; i++)
		link_entry(s, i);
	return 0;
}

static int add_hashed(struct bb_keyset *s, const void *key, uint32_t h);

int bb_keyset_insert(struct bb_keyset *s, const void *key)
{
	uint32_t h = hash_key(key, s->key_size);

	if (s->nbuckets)
		for (uint32_t i = s->heads[h & (s->nbuckets - 1)]; i; i = *entry_next(s, i - 1))
			if (*entry_hash(s, i - 1) == h &&
			    memcmp(entry_key(s, i - 1), key, s->key_size) == 0)
				return 0;
	return add_hashed(s, key, h) ? -ENOMEM : 1;
}

int bb_keyset_add(struct bb_keyset *s, const void *key)
{
	return add_hashed(s, key, hash_key(key, s->key_size));
}

static int add_hashed(struct bb_keyset *s, const void *key, uint32_t h)
{
	if (s->n == UINT32_MAX - 1)
		return -ENOMEM;
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 64;
		unsigned char *a = realloc(s->arena, (size_t)cap * s->stride);

		if (!a)
			return -ENOMEM;
		s->arena = a;
		s->cap = cap;
	}
	if (s->n >= s->nbuckets) {
		int r = rehash(s, s->nbuckets ? s->nbuckets * 2 : 64);

		if (r)
			return r;
	}
	memcpy(entry_key(s, s->n), key, s->key_size);
	*entry_hash(s, s->n) = h; /* kept: rehashing reuses it */
	link_entry(s, s->n);
	s->n++;
	return 0;
}

void bb_keyset_truncate(struct bb_keyset *s, uint32_t n)
{
	while (s->n > n) {
		uint32_t i = --s->n;
		uint32_t b = *entry_hash(s, i) & (s->nbuckets - 1);

		s->heads[b] = *entry_next(s, i); /* i is the head of its chain */
	}
}

size_t bb_keyset_bytes(const struct bb_keyset *s)
{
	return (size_t)s->cap * s->stride + (size_t)s->nbuckets * sizeof(uint32_t);
}

const void *bb_keyset_key(const struct bb_keyset *s, uint32_t i)
{
	return entry_key(s, i);
}
