/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/trie_tokens.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "platform/log.h"
#include "platform/stats.h"

#define BUCKETS 1024 /* power of two */
#define NONE (-1)

struct rec {
	uint32_t map_id, ks;
	uint64_t hash;
	int32_t next; /* in its bucket's chain */
	unsigned char *key;
};

/* Records fill the ring in order, so the oldest is always at head once full. */
static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	uint32_t head, used;
	int32_t bucket[BUCKETS];
	struct rec r[BB_TRIE_TOKENS];
} t = { .once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER };

static void atfork_prepare(void)
{
	pthread_mutex_lock(&t.lock);
}

static void atfork_release(void)
{
	pthread_mutex_unlock(&t.lock);
}

static void init(void)
{
	for (uint32_t i = 0; i < BUCKETS; i++)
		t.bucket[i] = NONE;
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

static void lock(void)
{
	pthread_once(&t.once, init);
	pthread_mutex_lock(&t.lock);
}

static uint64_t hash(uint32_t map_id, const unsigned char *key, uint32_t ks)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ map_id; /* FNV-1a */

	for (uint32_t i = 0; i < ks; i++)
		h = (h ^ key[i]) * 0x100000001b3ULL;
	return h;
}

static int32_t find(uint32_t map_id, const void *key, uint32_t ks, uint64_t h)
{
	for (int32_t i = t.bucket[h & (BUCKETS - 1)]; i != NONE; i = t.r[i].next)
		if (t.r[i].hash == h && t.r[i].map_id == map_id && t.r[i].ks == ks &&
		    !memcmp(t.r[i].key, key, ks))
			return i;
	return NONE;
}

static void unlink_rec(int32_t i)
{
	int32_t *p = &t.bucket[t.r[i].hash & (BUCKETS - 1)];

	while (*p != i)
		p = &t.r[*p].next;
	*p = t.r[i].next;
}

void bb_trie_token_note(uint32_t map_id, const void *key, uint32_t ks)
{
	uint64_t h = hash(map_id, key, ks);
	struct rec *r;
	int32_t i;

	lock();
	if (find(map_id, key, ks, h) != NONE)
		goto out;
	i = (int32_t)t.head;
	r = &t.r[i];
	if (t.used == BB_TRIE_TOKENS) {
		unlink_rec(i);
		if (bb_log_enabled())
			bb_log("LPM token record of map %u reclaimed (bound %u): if its key is "
			       "deleted, the walk restarts at the leftmost key", r->map_id,
			       BB_TRIE_TOKENS);
		bb_stat_add(BB_STAT_TRIE_TOKENS_RECLAIMED, 1);
		t.used--;
	}
	if (r->ks != ks || !r->key) {
		free(r->key);
		r->ks = 0;
		r->key = malloc(ks ? ks : 1);
		if (!r->key)
			goto out;
	}
	memcpy(r->key, key, ks);
	r->map_id = map_id;
	r->ks = ks;
	r->hash = h;
	r->next = t.bucket[h & (BUCKETS - 1)];
	t.bucket[h & (BUCKETS - 1)] = i;
	t.used++;
	t.head = (t.head + 1) % BB_TRIE_TOKENS;
out:
	pthread_mutex_unlock(&t.lock);
}

bool bb_trie_token_known(uint32_t map_id, const void *key, uint32_t ks)
{
	bool known;

	lock();
	known = find(map_id, key, ks, hash(map_id, key, ks)) != NONE;
	pthread_mutex_unlock(&t.lock);
	return known;
}
