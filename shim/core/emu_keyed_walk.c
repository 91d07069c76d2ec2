/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * LOOKUP_BATCH and LOOKUP_AND_DELETE_BATCH for maps whose keys can vanish
 * (the hash family, LPM tries, stack traces, ...), as a walk of
 * GET_NEXT_KEY + LOOKUP_ELEM (+ delete) that keeps the kernel's promises:
 *
 * - Keys and values are written by the kernel straight into the caller's
 *   buffers: GET_NEXT_KEY(keys[n] -> keys[n+1]), LOOKUP(keys[n] -> values[n]).
 * - The successor of an element is fetched before the element is deleted
 *   (ours or the caller's deletes never make the walk restart), and the
 *   successor of the last returned element is kept in the cursor as the
 *   position of the next call.
 * - A lookup cursor remembers the keys it returned: if another thread deletes
 *   the key the walk stands on, the kernel restarts from the first key, and
 *   the walk skips what it returned already. A lookup-and-delete walk needs no
 *   such memory: what it returned is gone.
 * - Calls return up to count elements; no bucket chunking, never ENOSPC.
 * - Tokens: BB_FAM_HASH as htab does (4 bytes naming a cursor; ENOENT as
 *   soon as the walk passes the last key, with the count so far); BB_FAM_TRIE
 *   as generic_map_lookup_batch does (the last key; ENOENT only when count
 *   is not filled), with the cursor found again by that key.
 *
 * Cost per element: 2 syscalls for a lookup, 2 for a lookup-and-delete on
 * kernels with LOOKUP_AND_DELETE_ELEM for hash maps (5.14+), 3 before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/emu.h"
#include "platform/mem.h"
#include "platform/raw.h"
#include "platform/state.h"

struct walk {
	const struct bb_emu_call *c;
	const struct bb_map *m;
	bool del;
	char *keys;
	char *values;
	uint32_t ks;
	struct bb_cursor *cur;
	unsigned char *buf[2]; /* local key buffers for keys outside keys[] */
	const void *from;      /* BB_FAM_TRIE: a token key no cursor knows */
	uintptr_t writable_to; /* values[] known writable below this address */
	unsigned char *spare;  /* a third key buffer: the token key, then the last key */
};

static void *key_slot(const struct walk *w, uint32_t i)
{
	return w->keys + (size_t)i * w->ks;
}

static void *value_slot(const struct walk *w, uint32_t i)
{
	return w->values + (size_t)i * w->m->value_stride;
}

/* Before 4.12 the first key is found as the successor of a key that is not
 * in the map (a key inserted at that moment could hide the keys before it). */
static long first_key_after_absent(const struct walk *w, unsigned char *out)
{
	static const unsigned char fill[] = { 0x00, 0xff, 0x5a, 0xa5, 0x01, 0x7f };
	void *value = malloc(w->m->value_stride ? w->m->value_stride : 1);
	long r = -ENOENT;

	if (!value)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(fill); i++) {
		memset(out, fill[i], w->ks);
		r = bb_raw_map_lookup(w->m->fd, out, value, 0);
		if (r == -ENOENT) {
			r = bb_raw_map_get_next_key(w->m->fd, out, out);
			break;
		}
		if (r)
			break;
		r = -ENOENT;
	}
	free(value);
	return r;
}

/* The walk's first key: in keys[0] where the kernel takes a NULL key, else
 * in buf[0]. An unknown kernel is asked once with a buffer of ours, so an
 * EFAULT can only mean "no NULL key here". */
static long first_key(struct walk *w, unsigned char **at)
{
	enum bb_tri t = bb_feature_get(BB_FEAT_GET_NEXT_KEY_NULL);
	long r;

	if (t == BB_TRI_YES) {
		*at = key_slot(w, 0);
		return bb_raw_map_get_next_key(w->m->fd, NULL, *at);
	}
	*at = w->buf[0];
	if (t == BB_TRI_UNKNOWN) {
		r = bb_raw_map_get_next_key(w->m->fd, NULL, *at);
		if (r != -EFAULT) {
			if (r == 0 || r == -ENOENT)
				bb_feature_set(BB_FEAT_GET_NEXT_KEY_NULL, true);
			return r;
		}
		bb_feature_set(BB_FEAT_GET_NEXT_KEY_NULL, false);
	}
	return first_key_after_absent(w, *at);
}

/*
 * The kernel loses what it deleted when the copy-out faults; the emulation
 * makes sure an element's slots can be written before deleting it, so it
 * loses nothing. One check per page of values, not per element.
 */
static long check_slots(struct walk *w, uint32_t n, const unsigned char *cur_key)
{
	uintptr_t v = (uintptr_t)value_slot(w, n), end = v + w->m->value_stride;

	if (end > w->writable_to) {
		if (bb_mem_writable((void *)v, end - v))
			return -EFAULT;
		w->writable_to = (end + 4095) & ~(uintptr_t)4095;
	}
	/* A key outside keys[] is copied in after the delete: check its slot. */
	if (cur_key != key_slot(w, n) && bb_mem_writable(key_slot(w, n), w->ks))
		return -EFAULT;
	return 0;
}

/*
 * Has the walk returned (or tried) this key before? Marks it as it asks: a
 * key that then vanishes before it is returned was not present for the whole
 * walk, so skipping it if it comes back is allowed. 1 seen, 0 new, -ENOMEM.
 */
static int seen_before(const struct walk *w, const void *key)
{
	int r;

	if (!w->cur || !w->cur->track_seen)
		return 0;
	r = bb_keyset_insert(&w->cur->seen, key);
	return r < 0 ? r : !r;
}

/*
 * Returns -ENOENT (walk ended), 0 (more to come; *pos = where it stands) or
 * another -errno, with *n = elements returned.
 */
static long walk(struct walk *w, uint32_t *n_out, const unsigned char **pos)
{
	const uint32_t count = w->c->a.count;
	/* Bounds the skipping after restarts: each restart re-walks at most the
	 * map once; more than this means the map is being churned, and the call
	 * returns what it has so far. */
	const uint64_t skip_limit = 2ULL * ((uint64_t)w->m->info.max_entries + count) + 16;
	uint64_t skips = 0;
	unsigned char *cur_key;
	int free_buf = 0;
	uint32_t n = 0;
	long r;

	*n_out = 0;
	if (w->cur && w->cur->has_pending) {
		memcpy(w->buf[0], w->cur->pending, w->ks);
		cur_key = w->buf[0];
		free_buf = 1;
	} else if (w->from) {
		r = bb_raw_map_get_next_key(w->m->fd, w->from, key_slot(w, 0));
		if (r)
			return r; /* -ENOENT: nothing after it */
		cur_key = key_slot(w, 0);
	} else {
		r = first_key(w, &cur_key);
		if (r)
			return r; /* -ENOENT: empty map */
		if (cur_key == w->buf[0])
			free_buf = 1;
	}

	for (;;) {
		bool last = n + 1 >= count, at_end = false;
		unsigned char *next;

		r = seen_before(w, cur_key);
		if (r < 0)
			goto out;
		if (r) {
			if (++skips > skip_limit)
				break;
			r = bb_raw_map_get_next_key(w->m->fd, cur_key, cur_key);
			if (r)
				goto out;
			continue;
		}

		next = last ? w->buf[free_buf] : key_slot(w, n + 1);
		r = bb_raw_map_get_next_key(w->m->fd, cur_key, next);
		if (r == -ENOENT)
			at_end = true;
		else if (r)
			goto out;

		if (w->del && (r = check_slots(w, n, cur_key))) {
			/* The kernel has written the keys when the values fault. */
			if (cur_key != key_slot(w, n))
				bb_mem_write(key_slot(w, n), cur_key, w->ks);
			goto out;
		}
		r = bb_emu_take(w->c, cur_key, value_slot(w, n), w->del);
		if (r == 0) {
			if (cur_key != key_slot(w, n) && bb_mem_write(key_slot(w, n), cur_key, w->ks)) {
				r = -EFAULT;
				goto out;
			}
			n++;
		} else if (r != -ENOENT) {
			goto out;
		}
		/* r == -ENOENT here: the element vanished; its slot is reused. */
		if (at_end) {
			r = -ENOENT;
			goto out;
		}
		if (last) {
			cur_key = next;
			free_buf ^= 1;
			if (n == count)
				break;
		} else if (r == 0) {
			cur_key = next; /* already in keys[n] */
		} else {
			/* The kernel wrote both slots just now: plain memory. */
			memmove(key_slot(w, n), next, w->ks);
			cur_key = key_slot(w, n);
		}
	}
	*n_out = n;
	*pos = cur_key;
	return 0;
out:
	*n_out = n;
	return r;
}

/* Write count and token in the family's order; 0 or -EFAULT. */
static long put_result(struct walk *w, uint32_t n, const void *tok, uint32_t tok_size)
{
	struct bb_emu_call *c = (struct bb_emu_call *)w->c;
	void *out_batch = (void *)(uintptr_t)c->a.out_batch;

	if (w->m->family == BB_FAM_TRIE) /* generic: count, then the token if n > 0 */
		return bb_emu_put_count(c, n) || (n && bb_mem_write(out_batch, tok, tok_size))
			       ? -EFAULT : 0;
	return bb_mem_write(out_batch, tok, tok_size) || bb_emu_put_count(c, n) ? -EFAULT : 0;
}

static void drop_cursor(struct walk *w)
{
	if (w->cur)
		bb_cursor_close(w->cur);
	w->cur = NULL;
}

static long finish(struct walk *w, bool fresh, uint32_t seen_mark)
{
	const bool trie = w->m->family == BB_FAM_TRIE;
	const struct bb_emu_call *c = w->c;
	const unsigned char *pos = NULL;
	unsigned char *last = w->spare; /* w->from is not needed once the walk is over */
	uint32_t n, tok;
	long r = walk(w, &n, &pos);

	if (trie && n && (r == 0 || r == -ENOENT))
		memcpy(last, key_slot(w, n - 1), w->ks); /* written by us or the kernel */

	if (r == -ENOENT) {
		drop_cursor(w);
		if (trie) {
			/* Generic: a call that filled count succeeds; the next one,
			 * from the last key, finds the end by itself. */
			r = put_result(w, n, last, w->ks);
			return r ? r : (n < c->a.count ? -ENOENT : 0);
		}
		tok = bb_map_n_buckets(w->m); /* htab's end-of-walk token */
		r = put_result(w, n, &tok, sizeof(tok));
		return r ? r : -ENOENT;
	}
	if (r == 0 && !w->cur) {
		w->cur = bb_cursor_open(w->m->info.id, w->ks, BB_CURSOR_LOOKUP_AND_DELETE, false);
		if (!w->cur)
			r = -ENOMEM;
	}
	if (r == 0) {
		memcpy(w->cur->pending, pos, w->ks);
		w->cur->has_pending = true;
		if (trie) {
			/* With nothing returned the caller keeps its old token,
			 * which must still find this cursor. */
			if (n)
				memcpy(w->cur->last, last, w->ks);
			r = put_result(w, n, last, w->ks);
		} else {
			tok = bb_cursor_next_token(w->cur);
			r = put_result(w, n, &tok, sizeof(tok));
		}
	}
	if (r) {
		/* Count stays 0; the iteration stays where it was, so the caller
		 * may retry with the same token (deleted elements stay deleted). */
		if (w->cur && w->cur->track_seen)
			bb_keyset_truncate(&w->cur->seen, seen_mark);
		if (fresh)
			drop_cursor(w);
		else if (w->cur)
			bb_cursor_release(w->cur, false);
		return r;
	}
	bb_cursor_release(w->cur, true);
	return 0;
}

long bb_emu_keyed_lookup(struct bb_emu_call *c, bool del)
{
	enum bb_cursor_kind kind = del ? BB_CURSOR_LOOKUP_AND_DELETE : BB_CURSOR_LOOKUP;
	const bool trie = c->m.family == BB_FAM_TRIE;
	const void *in_batch = (const void *)(uintptr_t)c->a.in_batch;
	struct walk w = {
		.c = c, .m = &c->m, .del = del,
		.keys = (char *)(uintptr_t)c->a.keys,
		.values = (char *)(uintptr_t)c->a.values,
		.ks = c->m.info.key_size,
	};
	size_t kbuf = w.ks ? w.ks : 1;
	uint32_t tok = 0, seen_mark = 0;
	bool fresh = true;
	long r;

	/* Three key buffers: two for the walk, one for a key-sized token. */
	w.buf[0] = malloc(3 * kbuf);
	if (!w.buf[0])
		return -ENOMEM;
	w.buf[1] = w.buf[0] + kbuf;
	w.spare = w.buf[0] + 2 * kbuf;

	if (trie && in_batch) {
		r = -EFAULT;
		if (bb_mem_read(w.spare, in_batch, w.ks))
			goto out;
		w.cur = bb_cursor_find(c->m.info.id, kind, w.spare);
		fresh = !w.cur;
		if (!w.cur)
			w.from = w.spare; /* a walk we did not start: the kernel's rules */
	} else if (in_batch) {
		r = -EFAULT;
		if (bb_mem_read(&tok, in_batch, sizeof(tok)))
			goto out;
		if (tok) {
			/* Unknown, stale or foreign: like a bucket index past the end. */
			r = -ENOENT;
			w.cur = bb_cursor_resume(tok, c->m.info.id, kind);
			if (!w.cur)
				goto out;
			fresh = false;
		}
	}
	if (!w.cur && !del) {
		r = -ENOMEM;
		w.cur = bb_cursor_open(c->m.info.id, w.ks, kind, true);
		if (!w.cur)
			goto out;
	}
	if (w.cur && w.cur->track_seen)
		seen_mark = w.cur->seen.n;
	r = finish(&w, fresh, seen_mark);
out:
	free(w.buf[0]);
	return r;
}
