/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Cursors behind emulated hash-family batch tokens. The kernel's token is a
 * 4-byte bucket index, too small for a key, so the emulation hands out a
 * cursor id instead and keeps the walk's position here.
 *
 * Token layout: bit 31 set (a kernel bucket index never is, and 0 must keep
 * meaning "from the start"), bits 8..30 a per-call sequence number, bits 0..7
 * the slot. A token is valid for exactly one next call on the same map;
 * anything else is an unknown token (the walk ends, as for an out-of-range
 * bucket index).
 *
 * Bound: BB_CURSOR_SLOTS open iterations per process, and the idle ones
 * hold at most BB_CURSOR_IDLE_BYTES together: opening a walk reclaims the
 * least recently used idle cursors beyond either bound. A cursor holds one
 * pending key and, for lookups, the set of keys returned so far (see
 * keyset.h, about key_size + 12 bytes a key), freed when the walk ends. So
 * memory stays below BB_CURSOR_IDLE_BYTES plus what the walks in progress
 * (at most one per thread) have returned.
 * The table is locked; a cursor, once taken, is used by one thread at a time.
 */
#ifndef BB_CURSOR_H
#define BB_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keyset.h"

#define BB_CURSOR_SLOTS 64
#define BB_CURSOR_IDLE_BYTES (64U << 20)

enum bb_cursor_kind { BB_CURSOR_LOOKUP = 1, BB_CURSOR_LOOKUP_AND_DELETE = 2 };

struct bb_cursor {
	/* owned by the table */
	bool in_use;
	bool busy;
	uint32_t slot;
	uint32_t seq;
	uint64_t last_used;
	/* owned by the thread that took the cursor */
	uint32_t map_id;
	uint32_t key_size;
	enum bb_cursor_kind kind;
	bool has_pending;
	unsigned char *pending; /* next key to return, already fetched */
	unsigned char *last;    /* key-sized token last handed out (BB_FAM_TRIE) */
	bool track_seen;
	struct bb_keyset seen;
};

/* A new, taken cursor, or NULL (ENOMEM). */
struct bb_cursor *bb_cursor_open(uint32_t map_id, uint32_t key_size, enum bb_cursor_kind kind,
				 bool track_seen);
/* Take the cursor whose key-sized token (the last key it returned) equals
 * @key, or NULL: key-sized tokens are the kernel's own, a cursor only adds
 * exactness to a walk that it recognises. */
struct bb_cursor *bb_cursor_find(uint32_t map_id, enum bb_cursor_kind kind, const void *key);
/* Take the cursor named by @token, or NULL if the token names none for this map. */
struct bb_cursor *bb_cursor_resume(uint32_t token, uint32_t map_id, enum bb_cursor_kind kind);
/* The token bb_cursor_release(c, true) will return: written to the caller
 * before the cursor advances, so a failed write leaves the old token valid. */
uint32_t bb_cursor_next_token(const struct bb_cursor *c);
/* Give a taken cursor back; @advance issues a new token (the old one dies).
 * Returns the token that names the cursor now. */
uint32_t bb_cursor_release(struct bb_cursor *c, bool advance);
/* Free a taken cursor (the walk ended). */
void bb_cursor_close(struct bb_cursor *c);

/* Open cursors and the bytes they hold (for stats and tests). */
void bb_cursor_usage(unsigned int *open, uint64_t *bytes);

#endif
