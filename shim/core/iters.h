/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The state behind emulated hash-family batch tokens. The kernel's token is a
 * 4-byte bucket index, too small for a key, so an emulated token names a walk
 * and a position in it. Tokens are values, as the kernel's are: a position,
 * once handed out, means the same place in its walk for as long as the walk
 * is kept, from any copy of the token, any number of times; a failed call
 * hands out nothing and changes no position.
 *
 * What a position means depends on the walk's kind:
 * - LOOKUP: an index into the walk's list of keys, in the order the walk met
 *   them (append-only). A call from position p serves list[p..] that still
 *   exist, then extends the list from its frontier (the next key, fetched
 *   before the last listed one could be deleted), after looking back over
 *   the last listed keys for keys an update moved behind it
 *   (emu_hash_walk.c). The list is also the
 *   walk's memory of what it returned, so a kernel restart (GET_NEXT_KEY of a
 *   vanished key goes back to the first key) never returns a key twice.
 * - LOOKUP_AND_DELETE: the key the call starts from. Everything the walk
 *   returned is deleted, so a walk that has to restart from the first key
 *   returns nothing twice and needs no list.
 *
 * Token layout: bit 31 set (a kernel bucket index never is, and 0 must keep
 * meaning "from the start"), bits 24..30 the slot, bits 0..23 a sequence
 * number: position p of the walk in a slot is base + p, and each walk in a
 * slot starts where the previous one's numbers ended, so a token of a
 * reclaimed walk names nothing (until 2^24 positions later in that slot).
 *
 * Bound: BB_ITER_SLOTS walks per process, the idle ones holding at most
 * BB_ITER_IDLE_BYTES together. Opening a walk reclaims, beyond either bound,
 * walks of maps that are gone first (see victim()), then finished walks,
 * then the least recently used; a token of a reclaimed
 * walk ends its walk (ENOENT, as an out-of-range bucket index does) and is
 * logged and counted. A LOOKUP walk holds its keys (about key_size + 12
 * bytes each) and 4 bytes per position; a LOOKUP_AND_DELETE walk key_size
 * bytes per position.
 * A walk is served by one thread at a time (a per-walk lock); the table has
 * a lock of its own, never held while waiting for a walk's.
 */
#ifndef BB_ITERS_H
#define BB_ITERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/keyset.h"

#define BB_ITER_SLOTS 128
#define BB_ITER_IDLE_BYTES (64U << 20)

enum bb_iter_kind { BB_ITER_LOOKUP = 1, BB_ITER_LOOKUP_AND_DELETE = 2 };

struct bb_iter {
	/* owned by the table's lock */
	bool in_use;
	bool finished;     /* reached the end of the map: reclaimed first */
	bool map_gone;     /* its map no longer exists: reclaimed before all */
	uint32_t users;    /* threads holding or waiting for the walk */
	uint32_t slot;
	uint32_t base;     /* sequence number of position 0 */
	uint32_t next_base; /* where the next walk in this slot starts */
	uint32_t npos_pub; /* positions handed out, as the table sees them */
	uint64_t last_used;
	uint64_t bytes;    /* memory held, as of the last release */
	uint32_t map_id;    /* these three are set at open and never change */
	uint32_t key_size;
	enum bb_iter_kind kind;
	pthread_mutex_t lock;
	/* owned by the holder of lock */
	uint32_t npos;
	uint32_t cap_pos;
	uint32_t *pos_index;    /* LOOKUP: list index of each position */
	unsigned char *pos_key; /* LOOKUP_AND_DELETE: start key of each position */
	struct bb_keyset list;  /* LOOKUP: the keys met, in walk order */
	bool complete;          /* LOOKUP: the list ends where the map ended */
	bool has_frontier;      /* LOOKUP: frontier holds the key after the list */
	unsigned char *frontier;
	uint64_t looked_back;   /* keys served looking back (emu_hash_walk.c) */
	uint64_t drained;       /* LOOKUP_AND_DELETE: keys returned so far */
	uint64_t drained_looked; /* ... when it last looked back */
};

/* A new walk, held by the caller, with no position yet; NULL: -ENOMEM. */
struct bb_iter *bb_iter_open(uint32_t map_id, uint32_t key_size, enum bb_iter_kind kind);

/* Hold the walk @token names for this map and kind and set *pos to its
 * position; NULL if it names none (a foreign, forged or reclaimed token). */
struct bb_iter *bb_iter_resume(uint32_t token, uint32_t map_id, enum bb_iter_kind kind,
			       uint32_t *pos);

/* Room for one more position, so that marking it after a command's deletes
 * cannot fail. 0 or -ENOMEM. */
int bb_iter_reserve(struct bb_iter *w);

/* The token of position @index (LOOKUP) or start key @key (LOOKUP_AND_DELETE),
 * reusing a recent position with the same meaning. 0, or -ENOMEM. */
int bb_iter_mark_index(struct bb_iter *w, uint32_t index, uint32_t *token);
int bb_iter_mark_key(struct bb_iter *w, const void *key, uint32_t *token);

/* Give a held walk back; @finished: it reached the end of the map. */
void bb_iter_release(struct bb_iter *w, bool finished);

/* Walks kept and the bytes they hold (for stats and tests). */
void bb_iter_usage(unsigned int *walks, uint64_t *bytes);

#endif
