/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * LOOKUP_BATCH and LOOKUP_AND_DELETE_BATCH for the hash family, as a walk of
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
 *   ENOENT as soon as the walk passes the last key, with the count so far.
 *
 * Cost per element: 2 syscalls for a lookup, 2 for a lookup-and-delete on
 * kernels with LOOKUP_AND_DELETE_ELEM for hash maps (5.14+), 3 before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "emu.h"
#include "mem.h"
#include "raw.h"
#include "state.h"

struct walk {
	const struct bb_emu_call *c;
	const struct bb_map *m;
	bool del;
	char *keys;
	char *values;
	uint32_t ks;
	struct bb_cursor *cur;
	unsigned char *buf[2]; /* local key buffers for keys outside keys[] */
};

static void *key_slot(const struct walk *w, uint32_t i)
{
	return w->keys + (size_t)i * w->ks;
}

static void *value_slot(const struct walk *w, uint32_t i)
{
	return w->values + (size_t)i * w->m->value_stride;
}

/* Delete behind a lookup where the kernel has no atomic lookup-and-delete
 * for hash maps: a concurrent update in between is lost with the element. */
static long lookup_then_delete(const struct walk *w, const void *key, void *value)
{
	long r = bb_raw_map_lookup(w->m->fd, key, value, w->c->a.elem_flags);

	return r ? r : bb_raw_map_delete(w->m->fd, key);
}

/* Copy one element's value out (and delete it). -ENOENT: it vanished. */
static long take_element(const struct walk *w, const void *key, void *value)
{
	enum bb_tri lde = bb_feature_get(BB_FEAT_HASH_LOOKUP_AND_DELETE);
	long r;

	if (!w->del)
		return bb_raw_map_lookup(w->m->fd, key, value, w->c->a.elem_flags);
	if (lde == BB_TRI_NO)
		return lookup_then_delete(w, key, value);

	r = bb_raw_map_lookup_and_delete(w->m->fd, key, value, w->c->a.elem_flags);
	if (lde == BB_TRI_UNKNOWN) {
		/* The first real use is the probe: before 5.14 the kernel says
		 * ENOTSUPP (or EINVAL before 4.20) and changes nothing. */
		if (r == -BB_ENOTSUPP || r == -EOPNOTSUPP || r == -EINVAL) {
			bb_feature_set(BB_FEAT_HASH_LOOKUP_AND_DELETE, false);
			return lookup_then_delete(w, key, value);
		}
		if (r == 0 || r == -ENOENT)
			bb_feature_set(BB_FEAT_HASH_LOOKUP_AND_DELETE, true);
	}
	return r;
}

static bool seen_before(const struct walk *w, const void *key)
{
	return w->cur && w->cur->track_seen && bb_keyset_has(&w->cur->seen, key);
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
	const uint64_t skip_limit = 2ULL * ((uint64_t)w->m->max_entries + count) + 16;
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
	} else {
		r = bb_raw_map_get_next_key(w->m->fd, NULL, key_slot(w, 0));
		if (r)
			return r; /* -ENOENT: empty map */
		cur_key = key_slot(w, 0);
	}

	for (;;) {
		bool last = n + 1 >= count, at_end = false;
		unsigned char *next;

		if (seen_before(w, cur_key)) {
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

		r = take_element(w, cur_key, value_slot(w, n));
		if (r == 0) {
			if (cur_key != key_slot(w, n) && bb_mem_write(key_slot(w, n), cur_key, w->ks)) {
				r = -EFAULT;
				goto out;
			}
			if (w->cur && w->cur->track_seen && bb_keyset_add(&w->cur->seen, cur_key)) {
				r = -ENOMEM;
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

static long finish(struct walk *w, bool fresh, uint32_t seen_mark)
{
	const struct bb_emu_call *c = w->c;
	void *out_batch = (void *)(uintptr_t)c->a.out_batch;
	const unsigned char *pos = NULL;
	uint32_t n, tok;
	long r = walk(w, &n, &pos);

	if (r == -ENOENT) {
		/* The end: the kernel writes n_buckets as the token, then count. */
		if (w->cur)
			bb_cursor_close(w->cur);
		w->cur = NULL;
		tok = bb_map_n_buckets(w->m);
		if (bb_mem_write(out_batch, &tok, sizeof(tok)) ||
		    bb_emu_put_count((struct bb_emu_call *)c, n))
			return -EFAULT;
		return -ENOENT;
	}
	if (r == 0 && !w->cur) {
		w->cur = bb_cursor_open(w->m->id, w->ks, BB_CURSOR_LOOKUP_AND_DELETE, false);
		if (!w->cur)
			r = -ENOMEM;
	}
	if (r == 0) {
		tok = bb_cursor_next_token(w->cur);
		if (bb_mem_write(out_batch, &tok, sizeof(tok)))
			r = -EFAULT;
	}
	if (r) {
		/* Count stays 0; the iteration stays where it was, so the caller
		 * may retry with the same token (deleted elements stay deleted). */
		if (w->cur && w->cur->track_seen)
			bb_keyset_truncate(&w->cur->seen, seen_mark);
		if (w->cur && fresh)
			bb_cursor_close(w->cur);
		else if (w->cur)
			bb_cursor_release(w->cur, false);
		return r;
	}
	memcpy(w->cur->pending, pos, w->ks);
	w->cur->has_pending = true;
	bb_cursor_release(w->cur, true);
	return bb_emu_put_count((struct bb_emu_call *)c, n) ? -EFAULT : 0;
}

long bb_emu_hash_lookup(struct bb_emu_call *c, bool del)
{
	enum bb_cursor_kind kind = del ? BB_CURSOR_LOOKUP_AND_DELETE : BB_CURSOR_LOOKUP;
	struct walk w = {
		.c = c, .m = &c->m, .del = del,
		.keys = (char *)(uintptr_t)c->a.keys,
		.values = (char *)(uintptr_t)c->a.values,
		.ks = c->m.key_size,
	};
	uint32_t tok = 0, seen_mark = 0;
	long r;

	if (c->a.in_batch &&
	    bb_mem_read(&tok, (const void *)(uintptr_t)c->a.in_batch, sizeof(tok)))
		return -EFAULT;
	if (tok) {
		/* Unknown, stale or foreign: like a bucket index past the end. */
		w.cur = bb_cursor_resume(tok, c->m.id, kind);
		if (!w.cur)
			return -ENOENT;
		if (w.cur->track_seen)
			seen_mark = w.cur->seen.n;
	} else if (!del) {
		w.cur = bb_cursor_open(c->m.id, w.ks, kind, true);
		if (!w.cur)
			return -ENOMEM;
	}

	w.buf[0] = malloc(2 * (size_t)(w.ks ? w.ks : 1));
	if (!w.buf[0]) {
		if (w.cur && tok)
			bb_cursor_release(w.cur, false);
		else if (w.cur)
			bb_cursor_close(w.cur);
		return -ENOMEM;
	}
	w.buf[1] = w.buf[0] + w.ks;
	r = finish(&w, tok == 0, seen_mark);
	free(w.buf[0]);
	return r;
}
