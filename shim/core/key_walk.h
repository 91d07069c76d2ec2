/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The engine under LOOKUP_BATCH and LOOKUP_AND_DELETE_BATCH for maps whose
 * keys can vanish (the hash family, LPM tries, stack traces, ...): a walk of
 * GET_NEXT_KEY + LOOKUP_ELEM (+ delete) from a starting point, into the
 * caller's buffers. Token handling is the caller's (emu_hash_walk.c,
 * emu_trie_walk.c); the engine only says where it stopped.
 *
 * - Values are written by the kernel straight into the caller's buffer
 *   (LOOKUP(key -> values[n])); keys are walked in buffers of ours and
 *   reach the caller's in chunks (one write per chunk), so no slot past the
 *   returned count is ever written (a look-ahead key, a vanished element).
 * - A lookup-and-delete deletes only elements it can hand back: slots are
 *   checked once per call; where one the call may need is bad, a pass
 *   without deletes finds whether the kernel would have reached it (then
 *   EFAULT, nothing deleted) before the real pass.
 * - The successor of an element is fetched before the element is deleted,
 *   so deletes (ours or the caller's between calls) never make the walk
 *   restart, and the walk stops at a key it has not served (its "next").
 * - A skip rule (the walk's memory, or the trie's order) drops keys met
 *   again after a restart caused by someone else's delete.
 */
#ifndef BB_KEY_WALK_H
#define BB_KEY_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bulk_queue.h"
#include "core/emu.h"

enum kw_start {
	KW_FIRST, /* from the map's first key */
	KW_AT,    /* serve @start itself first (a key met before, maybe gone) */
	KW_AFTER, /* from the successor of @start (the kernel's own token rule) */
};

#define KW_STOP 2    /* from skip: end this run before the key */
#define KW_STOPPED 1 /* from kw_run: a skip rule said KW_STOP */

struct key_walk {
	const struct bb_emu_call *c;
	bool del;
	char *keys;   /* caller's */
	char *values; /* caller's */
	uint32_t ks;
	uint32_t n;   /* elements returned into slots [0, n) */
	/* 1: skip this key (met before), 0: serve it, KW_STOP: stop before it
	 * (kw_run returns KW_STOPPED), < 0: -errno. NULL: serve all. */
	int (*skip)(void *arg, const void *key);
	void *skip_arg;
	/* Optional, with skip: put the skip rule back as it was at the start
	 * (after a pass without deletes, before the real one). */
	void (*rewind)(void *arg);
	/* Optional, with a skip rule that never says KW_STOP and only drops
	 * keys: it may then run late, over a chunk of the keys met, in the
	 * order met, before their values are taken (values in bulk), after
	 * this hint ran over the chunk. */
	void (*prefetch)(void *arg, const void *key);
	/* private */
	unsigned char *buf[2]; /* the current key and its successor */
	unsigned char *stage;  /* keys of elements [n - staged, n) */
	uint32_t staged;
	uintptr_t keys_ok_to;  /* key slots below this can be written */
	uint32_t lim;          /* elements whose slots can take them */
	uint32_t cap;          /* elements the call may return */
	bool checking;         /* inside kw_run_checked: runs do no check of their own */
	bool dry;              /* its first phase: no deletes, up to lim + 1 */
	struct bb_take_queue tq; /* values in bulk, where the bulk path serves */
};

/* Set up @w for call @c; 0 or -ENOMEM. kw_fini() frees. */
int kw_init(struct key_walk *w, const struct bb_emu_call *c, bool del);
void kw_fini(struct key_walk *w);

/*
 * Walk from @start until count elements are returned or the map ends.
 * Returns 0 (count filled; *next = the key to serve next, in the walk's own
 * buffer, valid until kw_fini), KW_STOPPED (the skip rule stopped it; w->n
 * and the walk's buffers are ready for another run), -ENOENT (the map
 * ended) or another -errno.
 * w->n says how many elements were returned either way.
 */
long kw_run(struct key_walk *w, enum kw_start how, const void *start, const void **next);

/*
 * A lookup-and-delete made of several runs (a look-back, then the walk on
 * from its start): @runs does them with kw_run, and is called twice where
 * some slot the call may need cannot be written — first without deletes,
 * to find out whether the kernel would get there (then -EFAULT, nothing
 * deleted), then for real from the same w->n. @runs must start the same
 * way each time. Returns what the last call of @runs returned, or -EFAULT.
 */
long kw_run_checked(struct key_walk *w, long (*runs)(struct key_walk *w, void *arg), void *arg);

/* Will kw_run_checked run a phase without deletes first (a slot the call
 * may need cannot be written)? */
bool kw_checked(const struct key_walk *w);

/* The map's first key into @out (key_size bytes of the caller's): 0,
 * -ENOENT (empty) or -errno. */
long kw_first_key(struct key_walk *w, unsigned char *out);

/* The caller's value slot of element @i. */
void *kw_value_slot(const struct key_walk *w, uint32_t i);

/* Copy @n keys from @src to the caller's keys[w->n..], as returned elements
 * whose values are already in place. 0 or -EFAULT. */
int kw_put_keys(struct key_walk *w, const void *src, uint32_t n);

/*
 * Values in bulk (bulk_queue.h), where the bulk path serves the call:
 * kw_queue() counts @key as the next element (w->n + 1) and queues it;
 * kw_flush() takes what is queued and writes the keys and values still
 * there to their slots, w->n then counting only those. kw_run does this by
 * itself; others (the replay of known keys) may too. 0 or -errno.
 */
bool kw_bulk(const struct key_walk *w);
bool kw_queue_full(const struct key_walk *w);
void kw_queue(struct key_walk *w, const void *key);
long kw_flush(struct key_walk *w);

/* Write count, then the token (trie order: generic_map_lookup_batch writes
 * it only when n > 0), or token then count (htab). 0 or -EFAULT. */
long kw_put_result(struct key_walk *w, const void *tok, uint32_t tok_size, bool count_first);

#endif
