/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * LOOKUP_BATCH and LOOKUP_AND_DELETE_BATCH on LPM tries, with the generic
 * contract (generic_map_lookup_batch): the token is the last key returned
 * (key_size bytes), ENOENT only when count is not filled, count written
 * before the token (after it for a lookup-and-delete, see below).
 *
 * No walk state: the trie's GET_NEXT_KEY visits keys in one fixed order
 * (post-order: a longer prefix before the prefix it extends, a 0 bit before
 * a 1 bit at the first difference; trie_get_next_key), whatever the trie's
 * shape. So "after the token" is a property of the key alone. Where the
 * kernel restarts from the leftmost key (the token key, or the key the walk
 * stands on, was deleted), every key up to the last one visited is skipped by
 * comparing, not by remembering: a walk never returns a key twice, two walks
 * never share anything, and a token is a value. The one thing remembered is
 * which keys were handed out as tokens (trie_tokens.h): a key never handed
 * out that is not in the trie restarts the walk, as in the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/emu.h"
#include "core/key_walk.h"
#include "core/trie_tokens.h"
#include "platform/mem.h"

struct order {
	uint32_t ks;
	bool have, start_have;
	unsigned char *floor; /* the last key visited: skip what is not after it */
	unsigned char *start; /* the floor the call started with */
};

static uint32_t prefixlen(const unsigned char *key)
{
	uint32_t l;

	memcpy(&l, key, sizeof(l));
	return l;
}

/* <0, 0, >0: @a comes before, is, or comes after @b in GET_NEXT_KEY order.
 * Only the prefix bits count, as in the trie's own matching. */
static int trie_order(const unsigned char *a, const unsigned char *b)
{
	uint32_t la = prefixlen(a), lb = prefixlen(b), m = la < lb ? la : lb;

	for (uint32_t bit = 0; bit < m; bit += 8) {
		unsigned char x = a[4 + bit / 8] ^ b[4 + bit / 8];

		if (m - bit < 8)
			x &= (unsigned char)(0xff00U >> (m - bit));
		if (x) {
			unsigned char top = 0x80;

			while (!(x & top))
				top >>= 1;
			return (a[4 + bit / 8] & top) ? 1 : -1; /* the 0 branch first */
		}
	}
	if (la == lb)
		return 0;
	return la > lb ? -1 : 1; /* post-order: the longer prefix first */
}

static void rewind_floor(void *arg)
{
	struct order *o = arg;

	o->have = o->start_have;
	memcpy(o->floor, o->start, o->ks);
}

static int not_after_floor(void *arg, const void *key)
{
	struct order *o = arg;

	if (o->have && trie_order(key, o->floor) <= 0)
		return 1;
	memcpy(o->floor, key, o->ks);
	o->have = true;
	return 0;
}

long bb_emu_trie_lookup(struct bb_emu_call *c, bool del)
{
	const void *in_batch = (const void *)(uintptr_t)c->a.in_batch;
	const uint32_t ks = c->m.info.key_size;
	struct order o = { .ks = ks };
	unsigned char *tok;
	struct key_walk kw;
	const void *next;
	long r;

	tok = malloc(3 * (size_t)ks);
	if (!tok)
		return -ENOMEM;
	o.floor = tok + ks;
	o.start = o.floor + ks;
	/* A lookup-and-delete (the shim's own command here) writes its token
	 * before count, as the hash family's: where the token cannot be
	 * written back, the call fills the buffers and fails with count 0,
	 * having deleted nothing (a retry from the same token loses nothing). */
	r = kw_init(&kw, c, del && !bb_mem_writable((void *)(uintptr_t)c->a.out_batch, ks));
	if (r)
		goto out;
	if (in_batch) {
		r = -EFAULT;
		if (bb_mem_read(tok, in_batch, ks))
			goto out;
		/* A key not in the trie restarts at the leftmost key in the
		 * kernel (so does a prefix length the trie cannot hold): only a
		 * token handed out here (trie_tokens.h) is a floor to skip to,
		 * present or deleted since. For any other key GET_NEXT_KEY
		 * answers as the kernel's walk would. */
		if (ks >= sizeof(uint32_t) && prefixlen(tok) <= (ks - sizeof(uint32_t)) * 8 &&
		    bb_trie_token_known(c->m.info.id, tok, ks)) {
			memcpy(o.floor, tok, ks);
			o.have = true;
		}
	}
	if (ks >= sizeof(uint32_t)) { /* always, for a map the kernel made */
		o.start_have = o.have;
		memcpy(o.start, o.floor, ks);
		kw.skip = not_after_floor;
		kw.rewind = rewind_floor;
		kw.skip_arg = &o;
	}
	r = kw_run(&kw, in_batch ? KW_AFTER : KW_FIRST, tok, &next);
	if (r == 0 || r == -ENOENT) {
		/* The token is the last key returned, as the caller has it. */
		long p = 0;

		if (kw.n)
			memcpy(tok, (char *)kw.keys + (size_t)(kw.n - 1) * ks, ks);
		p = kw_put_result(&kw, tok, ks, !del || !kw.n);
		if (p)
			r = p;
		else if (r == -ENOENT && kw.n == c->a.count)
			r = 0; /* filled: the next call finds the end by itself */
		if (!p && kw.n)
			bb_trie_token_note(c->m.info.id, tok, ks);
	}
out:
	kw_fini(&kw);
	free(tok);
	return r;
}
