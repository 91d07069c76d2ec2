/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The keys live in an arena, in insertion order. The index is a table of
 * cache lines, each with 12 entry numbers and a byte of each one's hash: a
 * key belongs to the line its hash names, or, when that line was full, to
 * the next ones (a line that ever overflowed says so). Inserting a key the
 * set has not seen reads one line and no other key. This runs once per
 * element a lookup walk returns, between two syscalls that evict the
 * cache, so the misses it takes are what it costs; the chained table it
 * replaces took about two.
 */
#include "core/keyset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PER_LINE 12
#define MIN_LINES 8U

struct bb_keyset_line {
	uint32_t entry[PER_LINE]; /* entry index + 1; 0 = free */
	uint8_t tag[PER_LINE];    /* the hash's top byte */
	uint32_t overflowed;      /* a key of this line went on to the next */
};

_Static_assert(sizeof(struct bb_keyset_line) == 64, "one cache line");

/* Eight bytes at a time, multiply and fold. Keys are the map's, not an
 * adversary's; a bad spread only lengthens probes. */
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

static uint8_t tag_of(uint32_t h)
{
	return (uint8_t)(h >> 24);
}

static unsigned char *entry_key(const struct bb_keyset *s, uint32_t i)
{
	return s->arena + (size_t)i * s->stride;
}

void bb_keyset_init(struct bb_keyset *s, uint32_t key_size)
{
	memset(s, 0, sizeof(*s));
	s->key_size = key_size;
	s->stride = key_size ? key_size : 1;
}

void bb_keyset_free(struct bb_keyset *s)
{
	free(s->lines);
	free(s->arena);
	bb_keyset_init(s, s->key_size);
}

/* The line and place of @key's entry, if the set has it. Overflow marks are
 * never taken back, so the probe is bounded by the table's size. */
static bool find(const struct bb_keyset *s, const void *key, uint32_t h, uint32_t *line,
		 uint32_t *at)
{
	uint32_t l = h & s->mask;
	uint8_t t = tag_of(h);

	if (!s->lines)
		return false;
	for (uint32_t seen = 0; seen <= s->mask; seen++, l = (l + 1) & s->mask) {
		const struct bb_keyset_line *ln = &s->lines[l];

		for (uint32_t j = 0; j < PER_LINE; j++)
			if (ln->entry[j] && ln->tag[j] == t &&
			    !memcmp(entry_key(s, ln->entry[j] - 1), key, s->key_size)) {
				*line = l;
				*at = j;
				return true;
			}
		if (!ln->overflowed)
			break;
	}
	return false;
}

/* Put entry number @e (index + 1) of hash @h in the first free place from
 * its line on, marking the full lines it passes. The table has room. */
static void place(struct bb_keyset_line *lines, uint32_t mask, uint32_t h, uint32_t e)
{
	for (uint32_t l = h & mask;; l = (l + 1) & mask) {
		struct bb_keyset_line *ln = &lines[l];

		for (uint32_t j = 0; j < PER_LINE; j++)
			if (!ln->entry[j]) {
				ln->entry[j] = e;
				ln->tag[j] = tag_of(h);
				return;
			}
		ln->overflowed = 1;
	}
}

/* At most 4/5 full, so probes stay short. */
static bool index_full(const struct bb_keyset *s)
{
	return !s->lines || ((uint64_t)s->n + 1) * 5 > ((uint64_t)s->mask + 1) * PER_LINE * 4;
}

static int grow_index(struct bb_keyset *s)
{
	uint64_t nlines = s->lines ? ((uint64_t)s->mask + 1) * 2 : MIN_LINES;
	struct bb_keyset_line *lines;

	if (nlines > (1ULL << 31))
		return -ENOMEM;
	lines = calloc(nlines, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->n; i++)
		place(lines, (uint32_t)nlines - 1, hash_key(entry_key(s, i), s->key_size), i + 1);
	free(s->lines);
	s->lines = lines;
	s->mask = (uint32_t)nlines - 1;
	return 0;
}

static int add_hashed(struct bb_keyset *s, const void *key, uint32_t h)
{
	if (s->n == UINT32_MAX - 1)
		return -ENOMEM;
	if (s->n == s->cap) {
		uint32_t cap = !s->cap ? MIN_LINES * PER_LINE
			       : s->cap <= UINT32_MAX / 2 ? s->cap * 2 : UINT32_MAX - 1;
		unsigned char *a = realloc(s->arena, (size_t)cap * s->stride);

		if (!a)
			return -ENOMEM;
		s->arena = a;
		s->cap = cap;
	}
	if (index_full(s) && grow_index(s))
		return -ENOMEM;
	memcpy(entry_key(s, s->n), key, s->key_size);
	s->n++;
	place(s->lines, s->mask, h, s->n);
	return 0;
}

bool bb_keyset_has(const struct bb_keyset *s, const void *key)
{
	uint32_t line, at;

	return find(s, key, hash_key(key, s->key_size), &line, &at);
}

int bb_keyset_insert(struct bb_keyset *s, const void *key)
{
	uint32_t h = hash_key(key, s->key_size), line, at;

	if (find(s, key, h, &line, &at))
		return 0;
	return add_hashed(s, key, h) ? -ENOMEM : 1;
}

int bb_keyset_add(struct bb_keyset *s, const void *key)
{
	return add_hashed(s, key, hash_key(key, s->key_size));
}

void bb_keyset_prefetch(const struct bb_keyset *s, const void *key)
{
	if (s->lines)
		__builtin_prefetch(&s->lines[hash_key(key, s->key_size) & s->mask]);
}

void bb_keyset_truncate(struct bb_keyset *s, uint32_t n)
{
	while (s->n > n) {
		uint32_t line, at;

		/* The newest entry holding its key is the one found: a key is in
		 * the set once. */
		if (find(s, entry_key(s, s->n - 1), hash_key(entry_key(s, s->n - 1), s->key_size),
			 &line, &at))
			s->lines[line].entry[at] = 0;
		s->n--;
	}
}

size_t bb_keyset_bytes(const struct bb_keyset *s)
{
	return (size_t)s->cap * s->stride +
	       (s->lines ? ((size_t)s->mask + 1) * sizeof(struct bb_keyset_line) : 0);
}

const void *bb_keyset_key(const struct bb_keyset *s, uint32_t i)
{
	return entry_key(s, i);
}
