/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The LPM-trie tokens the emulation handed out. An LPM token is the last
 * key returned. Given a key that is not in the trie, the kernel's walk
 * (generic_map_lookup_batch over trie_get_next_key) restarts at the
 * leftmost key; the emulation must too, except for a token it handed out
 * whose key was deleted since: that walk goes on after it (no key twice
 * within an iteration). Only the bytes tell the two apart, so the tokens
 * handed out are recorded, per map id.
 *
 * Bound: BB_TRIE_TOKENS records per process (key_size + about 40 bytes
 * each), the oldest reclaimed first, logged (BPFBATCH_LOG) and counted
 * (BPFBATCH_STATS). A reclaimed token is one more key never handed out: if
 * its key is still in the trie nothing changes; if it was deleted, the walk
 * restarts at the leftmost key, as the kernel's does, and may return keys
 * again. One lock, owned here, held only inside these functions (and across
 * fork, so a child never inherits it held).
 */
#ifndef BB_TRIE_TOKENS_H
#define BB_TRIE_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#define BB_TRIE_TOKENS 4096

/* Record @key (@ks bytes) as a token handed out for map @map_id. Without
 * memory, nothing is recorded: the token then acts as one never handed out. */
void bb_trie_token_note(uint32_t map_id, const void *key, uint32_t ks);

/* Was @key handed out as a token for map @map_id (and still recorded)? */
bool bb_trie_token_known(uint32_t map_id, const void *key, uint32_t ks);

#endif
