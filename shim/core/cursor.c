/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/cursor.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_TAG 0x80000000U
#define SEQ_MASK 0x7fffffU

static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	uint64_t clock; /* LRU order */
	struct bb_cursor slots[BB_CURSOR_SLOTS];
} t = { .once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER };

/* A child of fork() gets the table as it was (tokens stay usable there), but
 * a lock held by another parent thread would never be released: hold it
 * across fork so the copy is consistent and unlocked on both sides. */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&t.lock);
}

static void atfork_release(void)
{
	pthread_mutex_unlock(&t.lock);
}

static void table_init(void)
{
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

static void lock(void)
{
	pthread_once(&t.once, table_init);
	pthread_mutex_lock(&t.lock);
}

static void unlock(void)
{
	pthread_mutex_unlock(&t.lock);
}

static uint32_t token_at(const struct bb_cursor *c, uint32_t seq)
{
	return TOKEN_TAG | ((seq & SEQ_MASK) << 8) | c->slot;
}

static uint32_t token_of(const struct bb_cursor *c)
{
	return token_at(c, c->seq);
}

uint32_t bb_cursor_next_token(const struct bb_cursor *c)
{
	return token_at(c, c->seq + 1);
}

/* Free what a cursor holds; its seq survives so that its old tokens stay dead. */
static void cursor_reset(struct bb_cursor *c)
{
	uint32_t seq = c->seq;

	free(c->pending); /* last shares the allocation */
	if (c->track_seen)
		bb_keyset_free(&c->seen);
	memset(c, 0, sizeof(*c));
	c->seq = seq;
}

static uint64_t cursor_bytes(const struct bb_cursor *c)
{
	return c->key_size + (c->track_seen ? bb_keyset_bytes(&c->seen) : 0);
}

/* Reclaim least recently used idle cursors until the idle ones fit the
 * budget. Called with the lock held. */
static void trim_idle(void)
{
	for (;;) {
		struct bb_cursor *victim = NULL;
		uint64_t idle = 0;

		for (uint32_t i = 0; i < BB_CURSOR_SLOTS; i++) {
			struct bb_cursor *s = &t.slots[i];

			if (!s->in_use || s->busy)
				continue;
			idle += cursor_bytes(s);
			if (!victim || s->last_used < victim->last_used)
				victim = s;
		}
		if (idle <= BB_CURSOR_IDLE_BYTES || !victim)
			return;
		cursor_reset(victim);
	}
}

struct bb_cursor *bb_cursor_open(uint32_t map_id, uint32_t key_size, enum bb_cursor_kind kind,
				 bool track_seen)
{
	struct bb_cursor *c = NULL, *victim = NULL;
	unsigned char *pending = malloc(2 * (size_t)(key_size ? key_size : 1));

	if (!pending)
		return NULL;
	lock();
	trim_idle();
	for (uint32_t i = 0; i < BB_CURSOR_SLOTS && !c; i++) {
		struct bb_cursor *s = &t.slots[i];

		if (!s->in_use)
			c = s;
		else if (!s->busy && (!victim || s->last_used < victim->last_used))
			victim = s;
	}
	if (!c && victim) { /* reclaim the least recently used abandoned walk */
		c = victim;
		cursor_reset(c);
	}
	if (c) {
		uint32_t seq = c->seq + 1; /* keep seq moving so old tokens stay dead */

		memset(c, 0, sizeof(*c));
		c->in_use = true;
		c->busy = true;
		c->slot = (uint32_t)(c - t.slots);
		c->seq = seq;
		c->last_used = ++t.clock;
	}
	unlock();
	if (!c) {
		free(pending);
		return NULL;
	}
	c->map_id = map_id;
	c->key_size = key_size;
	c->kind = kind;
	c->pending = pending;
	c->last = pending + (key_size ? key_size : 1);
	c->track_seen = track_seen;
	if (track_seen)
		bb_keyset_init(&c->seen, key_size);
	return c;
}

struct bb_cursor *bb_cursor_resume(uint32_t token, uint32_t map_id, enum bb_cursor_kind kind)
{
	struct bb_cursor *c;
	uint32_t slot = token & 0xff;

	if (!(token & TOKEN_TAG) || slot >= BB_CURSOR_SLOTS)
		return NULL;
	lock();
	c = &t.slots[slot];
	if (!c->in_use || c->busy || token_of(c) != token || c->map_id != map_id ||
	    c->kind != kind)
		c = NULL;
	else
		c->busy = true;
	unlock();
	return c;
}

struct bb_cursor *bb_cursor_find(uint32_t map_id, enum bb_cursor_kind kind, const void *key)
{
	struct bb_cursor *c = NULL;

	lock();
	for (uint32_t i = 0; i < BB_CURSOR_SLOTS && !c; i++) {
		struct bb_cursor *s = &t.slots[i];

		if (s->in_use && !s->busy && s->map_id == map_id && s->kind == kind &&
		    memcmp(s->last, key, s->key_size) == 0)
			c = s;
	}
	if (c)
		c->busy = true;
	unlock();
	return c;
}

uint32_t bb_cursor_release(struct bb_cursor *c, bool advance)
{
	uint32_t tok;

	lock();
	if (advance)
		c->seq++;
	c->busy = false;
	c->last_used = ++t.clock;
	tok = token_of(c);
	unlock();
	return tok;
}

void bb_cursor_close(struct bb_cursor *c)
{
	lock();
	cursor_reset(c);
	unlock();
}

void bb_cursor_usage(unsigned int *open, uint64_t *bytes)
{
	*open = 0;
	*bytes = 0;
	lock();
	for (uint32_t i = 0; i < BB_CURSOR_SLOTS; i++) {
		const struct bb_cursor *c = &t.slots[i];

		if (!c->in_use)
			continue;
		(*open)++;
		*bytes += cursor_bytes(c);
	}
	unlock();
}
