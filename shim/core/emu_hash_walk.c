/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * LOOKUP_BATCH and LOOKUP_AND_DELETE_BATCH with htab's contract (4-byte
 * tokens; ENOENT as soon as the walk passes the last key, with the count so
 * far, written to out_batch as n_buckets), for every type whose token is a
 * bucket-sized value. The token names a walk position (iters.h); calls return
 * up to count elements: no bucket chunking, never ENOSPC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/emu.h"
#include "core/key_walk.h"
#include "core/maptypes.h"
#include "core/iters.h"
#include "platform/mem.h"
#include "platform/raw.h"

#define STAGE_KEYS 256 /* replayed keys are written to the caller in chunks */
/*
 * Listed keys a walk looks back over before going on from its frontier, on
 * types whose updates relink (bb_maptype_relinks). An update of a present
 * key moves it to the head of its bucket; if the frontier stood inside that
 * bucket, the key is now behind it. Re-walking from a listed key at least
 * LOOK_BACK + 1 places before the frontier meets it again, unless LOOK_BACK
 * listed keys and the frontier share one bucket: with load <= 1 (n_buckets
 * is max_entries rounded up to a power of two) and a seeded hash, a bucket
 * holds >= m keys with probability below 1/m!, here m = LOOK_BACK + 2 = 14:
 * about 1.1e-11 (in a full map of 2^20 buckets, 1e-5 such buckets expected).
 * The start must still be in the map (GET_NEXT_KEY of a deleted key restarts
 * at the first key): a key whose successor is the map's first key is gone,
 * and the next one further back is tried, up to LOOK_BACK of them; where all
 * are gone (the lookup-then-delete pattern), the look-back starts at the
 * first key and passes at most LOOK_BUDGET listed keys.
 * Cost per call that extends a walk: LOOK_BACK + 1 GET_NEXT_KEY where nothing
 * changed; where keys were deleted, one more for the first key and one per
 * deleted start tried.
 * A lookup-and-delete walk has deleted everything before its start key, so
 * it looks back from the map's first key: one GET_NEXT_KEY, but one that
 * scans every bucket the walk emptied. So it looks back only once the walk
 * has returned as many keys again as when it last did (at least
 * DRAIN_LOOK_MIN), and where the map ends after a call that did not: a key
 * an update moved behind the start stays in the map until it is returned
 * (nothing else deletes for the walk), and a look-back from the first key
 * finds it. The buckets it scans add up to about twice the map's, where a
 * look-back at every call scanned the emptied ones again at each.
 * Keys inserted behind the frontier are served too, so a walk's look-backs
 * serve at most 2 * max_entries keys in all (more than were ever present at
 * once, unless inserts churn): every walk still ends.
 */
#define LOOK_BACK 12
#define LOOK_BUDGET (3 * LOOK_BACK) /* listed keys a look-back may pass */
#define DRAIN_LOOK_MIN 4096 /* keys a drain returns between look-backs, at least */

static int seen_in_list(void *arg, const void *key)
{
	int r = bb_keyset_insert(arg, key);

	return r < 0 ? r : !r;
}

static void list_prefetch(void *arg, const void *key)
{
	bb_keyset_prefetch(arg, key);
}

struct look_back {
	struct bb_iter *w;
	const void *until; /* the frontier, a lookup-and-delete's start key, or NULL: the end */
	uint32_t budget;   /* listed keys it may still pass */
	uint64_t serves;   /* keys it may still serve (the walk's bound) */
};

/* Serve unlisted keys until the frontier. Where the start key was deleted,
 * the kernel restarts from the first key: the listed keys met there use up
 * the budget, so the lookup-then-delete pattern stays linear. (List order
 * is no sign of a restart: updates reorder keys within a bucket, and keys
 * found looking back are listed after keys that follow them.) */
static int look_back_skip(void *arg, const void *key)
{
	struct look_back *lb = arg;
	int r;

	if ((lb->until && !memcmp(key, lb->until, lb->w->key_size)) || !lb->serves)
		return KW_STOP;
	if (lb->w->kind == BB_ITER_LOOKUP_AND_DELETE)
		r = 1; /* no list: what it meets was not returned (or it would be gone) */
	else if ((r = bb_keyset_insert(&lb->w->list, key)) < 0)
		return r;
	if (r) {
		lb->serves--;
		lb->w->looked_back++;
		return 0;
	}
	if (!lb->budget)
		return KW_STOP;
	lb->budget--;
	return 1;
}

/*
 * Where a lookup's look-back starts (into @at): the successor of the first
 * listed key still in the map among LOOK_BACK from the (LOOK_BACK + 1)th
 * last on, else the map's first key. A successor that is the key listed
 * next needs no check (were the key gone, that one would be the map's
 * first key, and starting there is as good); another is compared with the
 * map's first key, asked once. 0 (a start inside the map), 1 (the first
 * key), -ENOENT (the map is empty) or -errno.
 */
static long look_back_start(struct key_walk *kw, struct bb_iter *w, unsigned char *at,
			    unsigned char *first)
{
	uint32_t n = w->list.n, ks = w->key_size;
	bool have_first = false;
	long r;

	for (uint32_t t = 0; t < LOOK_BACK && n > LOOK_BACK + t; t++) {
		uint32_t j = n - LOOK_BACK - 1 - t;

		r = bb_raw_map_get_next_key(kw->c->m.fd, bb_keyset_key(&w->list, j), at);
		if (r == -ENOENT)
			break; /* present, and nothing after it: from the first key */
		if (r)
			return r;
		if (!memcmp(at, bb_keyset_key(&w->list, j + 1), ks))
			return 0;
		if (!have_first && (r = kw_first_key(kw, first)))
			return r;
		have_first = true;
		if (memcmp(at, first, ks))
			return 0;
	}
	if (!have_first && (r = kw_first_key(kw, first)))
		return r;
	memcpy(at, first, ks);
	return 1;
}

/* Walk up to @until from a listed key before it (a lookup) or from the
 * map's first key (a lookup-and-delete), serving keys that updates moved
 * behind it; 0 with the caller's count filled, KW_STOPPED (go on from
 * @until), -ENOENT (the map ended) or -errno. */
static long look_back(struct key_walk *kw, struct bb_iter *w, const void *until,
		      const void **next)
{
	uint64_t most = 2ULL * kw->c->m.info.max_entries;
	struct look_back lb = { w, until, LOOK_BUDGET,
				w->looked_back < most ? most - w->looked_back : 0 };
	unsigned char *at = NULL;
	bool inside = false; /* started after a listed key, not at the first key */
	long r;

	if (!lb.serves || !bb_maptype_relinks(kw->c->m.info.type))
		return KW_STOPPED;
	if (w->kind == BB_ITER_LOOKUP && w->list.n > LOOK_BACK) {
		at = malloc(2 * (size_t)(w->key_size ? w->key_size : 1));
		if (!at)
			return -ENOMEM;
		r = look_back_start(kw, w, at, at + w->key_size);
		if (r < 0) {
			free(at);
			return r;
		}
		inside = r == 0;
	}
	kw->skip = look_back_skip; /* it stops: never late */
	kw->prefetch = NULL;
	kw->skip_arg = &lb;
	r = kw_run(kw, at ? KW_AT : KW_FIRST, at, next);
	kw->skip = NULL; /* lb ends here */
	kw->skip_arg = NULL;
	free(at);
	/* From the first key to the map's end, every key was met: the walk's
	 * end. From inside, past the end without meeting @until, is not: the
	 * start can lie after the frontier (keys a look-back serves are listed
	 * after keys they precede, and a look-back that fills the count leaves
	 * the frontier behind keys listed before); the frontier says. */
	return r == -ENOENT && inside ? KW_STOPPED : r;
}

/* The same in bulk: the keys are known, so each run takes a whole chunk. */
static long replay_bulk(struct key_walk *kw, struct bb_iter *w, uint32_t *i)
{
	const uint32_t count = kw->c->a.count;
	long r = 0;

	while (!r && *i < w->list.n && kw->n < count) {
		kw_queue(kw, bb_keyset_key(&w->list, (*i)++));
		if (kw_queue_full(kw) || kw->n == count || *i == w->list.n)
			r = kw_flush(kw);
	}
	return r;
}

/* Serve the listed keys from index *i on, until count is reached. */
static long replay(struct key_walk *kw, struct bb_iter *w, uint32_t *i)
{
	const uint32_t count = kw->c->a.count;
	unsigned char *stage;
	uint32_t staged = 0;
	long r = 0;

	if (*i >= w->list.n)
		return 0;
	if (kw_bulk(kw))
		return replay_bulk(kw, w, i);
	stage = malloc((size_t)STAGE_KEYS * (w->key_size ? w->key_size : 1));
	if (!stage)
		return -ENOMEM;
	while (*i < w->list.n && kw->n + staged < count) {
		const void *key = bb_keyset_key(&w->list, *i);

		r = bb_emu_take(kw->c, key, kw_value_slot(kw, kw->n + staged), false);
		if (r && r != -ENOENT) /* -ENOENT: deleted since; the walk moves on */
			break;
		(*i)++;
		if (!r)
			memcpy(stage + (size_t)staged++ * w->key_size, key, w->key_size);
		r = 0;
		if (staged == STAGE_KEYS) {
			if ((r = kw_put_keys(kw, stage, staged)))
				break;
			staged = 0;
		}
	}
	if (!r && staged)
		r = kw_put_keys(kw, stage, staged);
	free(stage);
	return r;
}

/* A lookup from list index *i: the known keys first, then the frontier.
 * A failure leaves the walk as it was. */
static long lookup(struct key_walk *kw, struct bb_iter *w, uint32_t *i)
{
	uint32_t listed = w->list.n;
	const void *next;
	long r = replay(kw, w, i);

	if (r || *i < w->list.n || kw->n == kw->c->a.count)
		return r ? r : (*i == w->list.n && w->complete ? -ENOENT : 0);
	if (w->complete)
		return -ENOENT;
	r = w->has_frontier ? look_back(kw, w, w->frontier, &next) : KW_STOPPED;
	if (r == KW_STOPPED) {
		kw->skip = seen_in_list;
		kw->prefetch = list_prefetch;
		kw->skip_arg = &w->list;
		r = kw_run(kw, w->has_frontier ? KW_AT : KW_FIRST, w->frontier, &next);
	}
	if (r == 0) {
		memcpy(w->frontier, next, w->key_size);
		w->has_frontier = true;
	} else if (r == -ENOENT) {
		w->complete = true;
		w->has_frontier = false;
	} else {
		bb_keyset_truncate(&w->list, listed);
		return r;
	}
	*i = w->list.n;
	return r;
}

struct drain_runs {
	struct bb_iter *w;
	const void *start;
	const void *next;
	uint64_t looked_back; /* as it was before the call */
	bool look;            /* look back before going on from the start */
	bool looked;          /* a look-back ran (the last run of the call) */
};

/* The look-back if due, then on from the start key, then, where the map
 * ended in a call that did not look back, once more from the first key
 * (what an update moved behind any earlier start is still there); the same
 * each time it is called (kw_run_checked), so the bound on looking back
 * counts once. */
static long drain_runs(struct key_walk *kw, void *arg)
{
	struct drain_runs *d = arg;
	long r;

	d->w->looked_back = d->looked_back;
	d->looked = d->look;
	r = d->look ? look_back(kw, d->w, d->start, &d->next) : KW_STOPPED;
	if (r == KW_STOPPED)
		r = kw_run(kw, d->start ? KW_AT : KW_FIRST, d->start, &d->next);
	if (r == -ENOENT && d->start && !d->look) {
		d->looked = true;
		r = look_back(kw, d->w, NULL, &d->next);
		if (r == KW_STOPPED) /* (the bound on looking back: the walk ends) */
			r = -ENOENT;
	}
	return r;
}

/* A lookup-and-delete from the start key of a position (or the first key).
 * Checked as one: a fault after the look-back deletes nothing either. A
 * checked call looks back first: in its phase without deletes, a pass from
 * the first key to the end would meet this call's keys twice. */
static long drain(struct key_walk *kw, struct bb_iter *w, const void *start, uint32_t *token)
{
	uint64_t since = w->drained - w->drained_looked;
	bool due = since >= DRAIN_LOOK_MIN && since >= w->drained_looked;
	struct drain_runs d = { w, start, NULL, w->looked_back,
				start && (due || kw_checked(kw)), false };
	long r = bb_iter_reserve(w); /* no -ENOMEM once elements are deleted */

	if (r)
		return r;
	r = kw_run_checked(kw, drain_runs, &d);
	if (r && r != -ENOENT)
		return r;
	w->drained += kw->n;
	if (d.looked)
		w->drained_looked = w->drained;
	return r ? r : bb_iter_mark_key(w, d.next, token);
}

long bb_emu_hash_lookup(struct bb_emu_call *c, bool del)
{
	enum bb_iter_kind kind = del ? BB_ITER_LOOKUP_AND_DELETE : BB_ITER_LOOKUP;
	const void *in_batch = (const void *)(uintptr_t)c->a.in_batch;
	struct bb_iter *w = NULL;
	uint32_t tok = 0, pos = 0, index = 0;
	unsigned char *start = NULL;
	struct key_walk kw;
	long r;

	if (in_batch && bb_mem_read(&tok, in_batch, sizeof(tok)))
		return -EFAULT;
	if (tok) {
		/* Unknown, reclaimed or foreign: like a bucket index past the end. */
		w = bb_iter_resume(tok, c->m.info.id, kind, &pos);
		if (!w)
			return -ENOENT;
	} else {
		w = bb_iter_open(c->m.info.id, c->m.info.key_size, kind);
		if (!w)
			return -ENOMEM;
	}
	/* Everything deleted is returned: where the token cannot be written
	 * back after the deletes, the kernel loses them; here the call fills
	 * the buffers as the kernel would and fails without deleting. */
	r = kw_init(&kw, c, del && !bb_mem_writable((void *)(uintptr_t)c->a.out_batch, 4));
	if (!r && del && w->npos) {
		start = malloc(c->m.info.key_size ? c->m.info.key_size : 1);
		if (!start)
			r = -ENOMEM;
		else
			memcpy(start, w->pos_key + (size_t)pos * w->key_size, w->key_size);
	}
	if (!r) {
		if (del) {
			r = drain(&kw, w, start, &tok);
		} else {
			index = w->npos ? w->pos_index[pos] : 0;
			r = lookup(&kw, w, &index);
			if (!r)
				r = bb_iter_mark_index(w, index, &tok);
		}
	}
	if (r == -ENOENT)
		tok = bb_map_n_buckets(&c->m); /* htab's end-of-walk token */
	if (r == 0 || r == -ENOENT) {
		long p = kw_put_result(&kw, &tok, sizeof(tok), false);

		if (p)
			r = p;
	}
	free(start);
	kw_fini(&kw);
	bb_iter_release(w, r == -ENOENT);
	return r;
}
