/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "keyset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a, 64-bit: keys are small and this is not on an adversarial path
 * that matters more than a linear scan would. */
static uint64_t hash_key(const void *key, uint32_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint32_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static unsigned char *entry(const struct bb_keyset *s, uint32_t i)
{
	return s->arena + (size_t)i * s->stride;
}

static uint32_t *entry_next(const struct bb_keyset *s, uint32_t i)
{
	return (uint32_t *)entry(s, i);
}

static void *entry_key(const struct bb_keyset *s, uint32_t i)
{
	return entry(s, i) + sizeof(uint32_t);
}

void bb_keyset_init(struct bb_keyset *s, uint32_t key_size)
{
	memset(s, 0, sizeof(*s));
	s->key_size = key_size;
	s->stride = (uint32_t)(sizeof(uint32_t) + ((key_size + 3) & ~3U));
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
	uint32_t b = (uint32_t)hash_key(key, s->key_size) & (s->nbuckets - 1);

	for (uint32_t i = s->heads[b]; i; i = *entry_next(s, i - 1))
		if (memcmp(entry_key(s, i - 1), key, s->key_size) == 0)
			return true;
	return false;
}

static void link_entry(struct bb_keyset *s, uint32_t i)
{
	uint32_t b = (uint32_t)hash_key(entry_key(s, i), s->key_size) & (s->nbuckets - 1);

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

int bb_keyset_add(struct bb_keyset *s, const void *key)
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
	link_entry(s, s->n);
	s->n++;
	return 0;
}

void bb_keyset_truncate(struct bb_keyset *s, uint32_t n)
{
	while (s->n > n) {
		uint32_t i = --s->n;
		uint32_t b = (uint32_t)hash_key(entry_key(s, i), s->key_size) & (s->nbuckets - 1);

		s->heads[b] = *entry_next(s, i); /* i is the head of its chain */
	}
}

size_t bb_keyset_bytes(const struct bb_keyset *s)
{
	return (size_t)s->cap * s->stride + (size_t)s->nbuckets * sizeof(uint32_t);
}
