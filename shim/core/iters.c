/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/iters.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "platform/log.h"
#include "platform/raw.h"
#include "platform/stats.h"
#include "platform/uapi.h"

#define TOKEN_TAG 0x80000000U
#define SLOT_SHIFT 24
#define SEQ_MASK 0xffffffU
#define MAX_POSITIONS (SEQ_MASK / 2) /* leaves the other half to tell stale tokens */
#define REUSE_SCAN 8                 /* recent positions checked for the same meaning */
#define GONE_ASKS 8                  /* maps asked about when no walk is finished */

_Static_assert(BB_ITER_SLOTS <= 128, "slot must fit bits 24..30");

static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	uint64_t clock; /* LRU order */
	struct bb_iter slots[BB_ITER_SLOTS];
} t = { .once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER };

/* A child of fork() gets the walks as they were (its tokens stay usable),
 * but a lock held by another parent thread would never be released there:
 * hold every lock across fork, walks first (the order every thread takes). */
static void atfork_prepare(void)
{
	for (uint32_t i = 0; i < BB_ITER_SLOTS; i++)
		pthread_mutex_lock(&t.slots[i].lock);
	pthread_mutex_lock(&t.lock);
}

static void atfork_release(void)
{
	pthread_mutex_unlock(&t.lock);
	for (uint32_t i = 0; i < BB_ITER_SLOTS; i++)
		pthread_mutex_unlock(&t.slots[i].lock);
}

static void table_init(void)
{
	for (uint32_t i = 0; i < BB_ITER_SLOTS; i++) {
		pthread_mutex_init(&t.slots[i].lock, NULL);
		t.slots[i].slot = i;
	}
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

static void lock_table(void)
{
	pthread_once(&t.once, table_init);
	pthread_mutex_lock(&t.lock);
}

static uint32_t token_at(const struct bb_iter *w, uint32_t pos)
{
	return TOKEN_TAG | (w->slot << SLOT_SHIFT) | ((w->base + pos) & SEQ_MASK);
}

static uint64_t walk_bytes(const struct bb_iter *w)
{
	uint64_t per = w->kind == BB_ITER_LOOKUP ? sizeof(uint32_t) : w->key_size;

	return (uint64_t)w->cap_pos * per + w->key_size + bb_keyset_bytes(&w->list);
}

/* Free what a walk holds; called with the table locked and the walk unused. */
static void walk_reset(struct bb_iter *w)
{
	free(w->pos_index);
	free(w->pos_key);
	free(w->frontier);
	bb_keyset_free(&w->list);
	w->pos_index = NULL;
	w->pos_key = NULL;
	w->frontier = NULL;
	w->in_use = false;
	w->finished = false;
	w->map_gone = false;
	w->npos = w->npos_pub = w->cap_pos = 0;
	w->bytes = 0;
	w->base = w->next_base; /* old tokens of this slot stay dead */
}

/* Is the map with this id gone? Then no token of its walks can ever be
 * used again. Asked with MAP_GET_NEXT_ID from the id below it, which opens
 * no fd (GET_FD_BY_ID would: about 10 times the cost, and a search may ask
 * about every map in the table). Without CAP_SYS_ADMIN (EPERM), before 4.13
 * (EINVAL) or for a stand-in id (bit 31, platform/fdinfo.c), the answer is
 * no. */
static bool map_gone(uint32_t id)
{
	struct bb_get_id_attr a = { .id = id - 1 };
	long r;

	if (!id || (id & 0x80000000U))
		return false;
	r = bb_raw_bpf(BB_MAP_GET_NEXT_ID, &a, sizeof(a));
	return r == -ENOENT || (r == 0 && a.next_id != id);
}

/* Maps a victim search found still there: each is asked about once. */
struct search {
	uint32_t alive[BB_ITER_SLOTS];
	uint32_t nalive;
};

static bool known_alive(const struct search *x, uint32_t id)
{
	for (uint32_t i = 0; i < x->nalive; i++)
		if (x->alive[i] == id)
			return true;
	return false;
}

/* The idle walk used least recently after @after (0: of all), or NULL. */
static struct bb_iter *oldest_after(uint64_t after)
{
	struct bb_iter *o = NULL;

	for (uint32_t i = 0; i < BB_ITER_SLOTS; i++) {
		struct bb_iter *s = &t.slots[i];

		if (s->in_use && !s->users && s->last_used > after &&
		    (!o || s->last_used < o->last_used))
			o = s;
	}
	return o;
}

/*
 * The walk to give up for a new one. A walk of a map that is gone is dead
 * (no token of it can be used again): those go first. Else a finished walk
 * before an unfinished one, then the least recently used.
 * Walks abandoned unfinished are where dead maps hide: before a finished
 * walk is given up (a second reader may still use its tokens), the maps of
 * all idle unfinished walks are asked about, oldest walk first, once per map
 * and search, and a gone one is remembered on every walk of its map. All of
 * them, not just the oldest few: a map the caller closed lives on while
 * something holds it (a bulk program keeps it up to BB_BULK_IDLE_MS), and
 * walks of such maps must not stop the search short of the dead ones behind
 * them. Where no walk is finished the least recently used goes anyway, so
 * only GONE_ASKS maps are asked about then. Nothing is asked while finished
 * walks alone fill the table (a process that walks many maps to their end).
 * Called with the table locked.
 */
static struct bb_iter *victim(struct search *x)
{
	struct bb_iter *v = NULL;
	uint32_t asks;

	for (uint32_t i = 0; i < BB_ITER_SLOTS; i++) {
		struct bb_iter *s = &t.slots[i];

		if (!s->in_use || s->users)
			continue;
		if (s->map_gone)
			return s;
		if (!v || (s->finished && !v->finished) ||
		    (s->finished == v->finished && s->last_used < v->last_used))
			v = s;
	}
	asks = v && v->finished ? BB_ITER_SLOTS : GONE_ASKS;
	for (struct bb_iter *o = oldest_after(0); o && asks; o = oldest_after(o->last_used)) {
		if (o->finished || known_alive(x, o->map_id))
			continue;
		asks--;
		if (!map_gone(o->map_id)) {
			if (x->nalive < BB_ITER_SLOTS) /* one per map in the table */
				x->alive[x->nalive++] = o->map_id;
			continue;
		}
		for (uint32_t i = 0; i < BB_ITER_SLOTS; i++)
			if (t.slots[i].in_use && t.slots[i].map_id == o->map_id)
				t.slots[i].map_gone = true;
		return o;
	}
	return v;
}

static void reclaim(struct bb_iter *w)
{
	if (bb_log_enabled())
		bb_log("walk of map %u reclaimed (%s, %u positions): its tokens now end the walk",
		       w->map_id, w->finished ? "finished" : "unfinished", w->npos_pub);
	bb_stat_add(BB_STAT_ITERS_RECLAIMED, 1);
	walk_reset(w);
}

/* Keep the idle walks within their memory budget. Table locked. */
static void trim_idle(struct search *x)
{
	for (;;) {
		uint64_t idle = 0;
		struct bb_iter *v;

		for (uint32_t i = 0; i < BB_ITER_SLOTS; i++)
			if (t.slots[i].in_use && !t.slots[i].users)
				idle += t.slots[i].bytes;
		/* a search may ask the kernel: only when one must go */
		if (idle <= BB_ITER_IDLE_BYTES || !(v = victim(x)))
			return;
		reclaim(v);
	}
}

struct bb_iter *bb_iter_open(uint32_t map_id, uint32_t key_size, enum bb_iter_kind kind)
{
	unsigned char *frontier = malloc(key_size ? key_size : 1);
	struct bb_iter *w = NULL;
	struct search x = { .nalive = 0 };

	if (!frontier)
		return NULL;
	lock_table();
	trim_idle(&x);
	for (uint32_t i = 0; i < BB_ITER_SLOTS && !w; i++)
		if (!t.slots[i].in_use)
			w = &t.slots[i];
	if (!w && (w = victim(&x)))
		reclaim(w);
	if (w) {
		w->in_use = true;
		w->users = 1;
		w->last_used = ++t.clock;
		/* fixed for the walk's life; resume reads them under this lock */
		w->map_id = map_id;
		w->key_size = key_size;
		w->kind = kind;
	}
	pthread_mutex_unlock(&t.lock);
	if (!w) {
		free(frontier);
		return NULL;
	}
	pthread_mutex_lock(&w->lock);
	w->complete = w->has_frontier = false;
	w->looked_back = w->drained = w->drained_looked = 0;
	w->frontier = frontier;
	bb_keyset_init(&w->list, key_size);
	return w;
}

struct bb_iter *bb_iter_resume(uint32_t token, uint32_t map_id, enum bb_iter_kind kind,
			       uint32_t *pos)
{
	uint32_t slot = (token & ~TOKEN_TAG) >> SLOT_SHIFT, seq = token & SEQ_MASK, p;
	struct bb_iter *w;

	if (!(token & TOKEN_TAG) || slot >= BB_ITER_SLOTS)
		return NULL;
	lock_table();
	w = &t.slots[slot];
	p = (seq - w->base) & SEQ_MASK;
	if (!w->in_use || p >= w->npos_pub || w->map_id != map_id || w->kind != kind) {
		/* Numbers just below this slot's: a walk that was reclaimed. */
		if (((w->base - seq) & SEQ_MASK) <= MAX_POSITIONS + 1 && bb_log_enabled())
			bb_log("token 0x%08x names a reclaimed walk: the walk ends here", token);
		pthread_mutex_unlock(&t.lock);
		return NULL;
	}
	w->users++;
	w->last_used = ++t.clock;
	pthread_mutex_unlock(&t.lock);
	pthread_mutex_lock(&w->lock);
	*pos = p;
	return w;
}

int bb_iter_reserve(struct bb_iter *w)
{
	size_t per = w->kind == BB_ITER_LOOKUP ? sizeof(uint32_t) : w->key_size;
	uint32_t cap = w->cap_pos ? w->cap_pos * 2 : 16;
	void *p;

	if (w->npos >= MAX_POSITIONS)
		return -ENOMEM;
	if (w->npos < w->cap_pos)
		return 0;
	p = realloc(w->kind == BB_ITER_LOOKUP ? (void *)w->pos_index : (void *)w->pos_key,
		    cap * per);
	if (!p)
		return -ENOMEM;
	if (w->kind == BB_ITER_LOOKUP)
		w->pos_index = p;
	else
		w->pos_key = p;
	w->cap_pos = cap;
	return 0;
}

int bb_iter_mark_index(struct bb_iter *w, uint32_t index, uint32_t *token)
{
	for (uint32_t i = w->npos; i > 0 && w->npos - i < REUSE_SCAN; i--)
		if (w->pos_index[i - 1] == index) {
			*token = token_at(w, i - 1);
			return 0;
		}
	if (bb_iter_reserve(w))
		return -ENOMEM;
	w->pos_index[w->npos] = index;
	*token = token_at(w, w->npos++);
	return 0;
}

int bb_iter_mark_key(struct bb_iter *w, const void *key, uint32_t *token)
{
	for (uint32_t i = w->npos; i > 0 && w->npos - i < REUSE_SCAN; i--)
		if (!memcmp(w->pos_key + (size_t)(i - 1) * w->key_size, key, w->key_size)) {
			*token = token_at(w, i - 1);
			return 0;
		}
	if (bb_iter_reserve(w))
		return -ENOMEM;
	memcpy(w->pos_key + (size_t)w->npos * w->key_size, key, w->key_size);
	*token = token_at(w, w->npos++);
	return 0;
}

void bb_iter_release(struct bb_iter *w, bool finished)
{
	uint32_t npos = w->npos;
	uint64_t bytes = walk_bytes(w);

	pthread_mutex_unlock(&w->lock);
	lock_table();
	w->npos_pub = npos;
	w->bytes = bytes;
	w->finished |= finished;
	w->last_used = ++t.clock;
	w->next_base = (w->base + npos + 1) & SEQ_MASK;
	if (--w->users == 0 && npos == 0)
		walk_reset(w); /* nothing names it: give the slot back now */
	pthread_mutex_unlock(&t.lock);
}

void bb_iter_usage(unsigned int *walks, uint64_t *bytes)
{
	*walks = 0;
	*bytes = 0;
	lock_table();
	for (uint32_t i = 0; i < BB_ITER_SLOTS; i++) {
		if (!t.slots[i].in_use)
			continue;
		(*walks)++;
		*bytes += t.slots[i].bytes;
	}
	pthread_mutex_unlock(&t.lock);
}
