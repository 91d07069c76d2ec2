/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The key walk engine (key_walk.h). Cost per element: 2 syscalls for a
 * lookup, 2 for a lookup-and-delete on kernels with LOOKUP_AND_DELETE_ELEM
 * for the type (hash maps: 5.14+), 3 before.
 */
#include "core/key_walk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/kprobe.h"
#include "platform/mem.h"
#include "platform/raw.h"
#include "platform/state.h"

#define STAGE_KEYS 256 /* keys reach the caller in chunks of this many */

static void *key_slot(const struct key_walk *w, uint32_t i)
{
	return w->keys + (size_t)i * w->ks;
}

void *kw_value_slot(const struct key_walk *w, uint32_t i)
{
	return w->values + (size_t)i * w->c->m.value_stride;
}

/*
 * A lookup-and-delete deletes only what it can hand back: the number of
 * leading elements whose key and value slots can all be written. Checked
 * once per call, one byte per page, up to what the map can return (a
 * count far beyond max_entries is not a reason to touch pages the kernel
 * would never write).
 */
static uint32_t good_slots(const struct key_walk *w)
{
	uint32_t cap = w->c->a.count;

	if (cap > w->c->m.info.max_entries)
		cap = w->c->m.info.max_entries;
	return bb_mem_writable_pairs(w->keys, w->ks, w->values, w->c->m.value_stride, cap);
}

int kw_init(struct key_walk *w, const struct bb_emu_call *c, bool del)
{
	size_t kbuf = c->m.info.key_size ? c->m.info.key_size : 1;

	memset(w, 0, sizeof(*w));
	w->c = c;
	w->del = del;
	w->keys = (char *)(uintptr_t)c->a.keys;
	w->values = (char *)(uintptr_t)c->a.values;
	w->ks = c->m.info.key_size;
	w->buf[0] = malloc((2 + STAGE_KEYS) * kbuf);
	if (!w->buf[0])
		return -ENOMEM;
	w->buf[1] = w->buf[0] + kbuf;
	w->stage = w->buf[1] + kbuf;
	w->lim = c->a.count;
	w->cap = c->a.count;
	if (del) {
		w->lim = good_slots(w);
		w->keys_ok_to = (uintptr_t)w->keys + (uintptr_t)w->lim * w->ks;
		if (w->cap > c->m.info.max_entries)
			w->cap = c->m.info.max_entries;
	}
	bb_tq_init(&w->tq, c, del);
	return 0;
}

void kw_fini(struct key_walk *w)
{
	bb_tq_fini(&w->tq);
	free(w->buf[0]);
	w->buf[0] = w->buf[1] = w->stage = NULL;
}

bool kw_bulk(const struct key_walk *w)
{
	return w->tq.on;
}

bool kw_queue_full(const struct key_walk *w)
{
	return bb_tq_full(&w->tq);
}

void kw_queue(struct key_walk *w, const void *key)
{
	bb_tq_push(&w->tq, key, &w->n);
}

long kw_flush(struct key_walk *w)
{
	if (!w->tq.q)
		return 0;
	return bb_tq_flush(&w->tq, &w->n); /* it writes its keys itself */
}

/* Write the staged keys of elements [n - staged, n) to their slots. A slot
 * that faults part-way gets the bytes before the fault, as the kernel's. */
static long stage_flush(struct key_walk *w)
{
	uint32_t k = w->staged;

	if (!k)
		return 0;
	w->staged = 0;
	return bb_mem_write(key_slot(w, w->n - k), w->stage, (size_t)k * w->ks) ? -EFAULT : 0;
}

/* Before 4.12 the first key is found as the successor of a key that is not
 * in the map (a key inserted at that moment could hide the keys before it). */
static long first_key_after_absent(const struct key_walk *w, unsigned char *out)
{
	static const unsigned char fill[] = { 0x00, 0xff, 0x5a, 0xa5, 0x01, 0x7f };
	uint32_t stride = w->c->m.value_stride;
	void *value = malloc(stride ? stride : 1);
	long r = -ENOENT;

	if (!value)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(fill); i++) {
		memset(out, fill[i], w->ks);
		r = bb_raw_map_lookup(w->c->m.fd, out, value, 0);
		if (r == -ENOENT) {
			r = bb_raw_map_get_next_key(w->c->m.fd, out, out);
			break;
		}
		if (r)
			break;
		r = -ENOENT;
	}
	free(value);
	return r;
}

/* The walk's first key, into buf[0]. Asked with a buffer of ours, an EFAULT
 * can only mean "no NULL key here" (kprobe.h). */
long kw_first_key(struct key_walk *w, unsigned char *at)
{
	long r = bb_kprobe_next_key_null(w->c->m.fd, at);

	return r != BB_KPROBE_LACKS ? r : first_key_after_absent(w, at);
}

int kw_put_keys(struct key_walk *w, const void *src, uint32_t n)
{
	if (bb_mem_write(key_slot(w, w->n), src, (size_t)n * w->ks))
		return -EFAULT;
	w->n += n;
	return 0;
}

/* Where the walk begins: buf[0] = the first key to consider. */
static long start_at(struct key_walk *w, enum kw_start how, const void *start)
{
	if (how == KW_AT) {
		memcpy(w->buf[0], start, w->ks);
		return 0;
	}
	if (how == KW_AFTER)
		return bb_raw_map_get_next_key(w->c->m.fd, start, w->buf[0]);
	return kw_first_key(w, w->buf[0]);
}

/* Leave with @r, after taking what is queued (the element path would have
 * taken it before getting here) and writing the staged keys. */
static long kw_stop(struct key_walk *w, long r)
{
	long s = stage_flush(w), f = kw_flush(w);

	return f ? f : s ? s : r;
}

/* Can key slot n be written? The kernel writes an element's key before its
 * value, so a key slot that faults fails the element before its value is
 * written. Checked once per page. */
static bool key_slot_ok(struct key_walk *w)
{
	uintptr_t k = (uintptr_t)key_slot(w, w->n), end = k + w->ks;

	if (end <= w->keys_ok_to)
		return true;
	if (bb_mem_writable((void *)k, w->ks))
		return false;
	w->keys_ok_to = (end + 4095) & ~(uintptr_t)4095;
	return true;
}

/* Element n faults: its key gets what the kernel's copy would write (all of
 * it when the value faulted, the bytes before the fault when the key did),
 * after the keys before it. */
static long fail_at(struct key_walk *w, const unsigned char *cur)
{
	if (!stage_flush(w))
		bb_mem_write(key_slot(w, w->n), cur, w->ks);
	return -EFAULT;
}

/* Take element @cur as element n: at once (0, -ENOENT if it vanished, or
 * -errno) or queued (0). The value goes straight to its slot, the key to
 * the stage: nothing is written for an element that is not returned. */
static long kw_take(struct key_walk *w, const unsigned char *cur, bool del)
{
	long r;

	if (!key_slot_ok(w)) {
		/* Once the queue is taken, the slot may be a lower one. */
		if (!w->tq.q)
			return fail_at(w, cur);
		if ((r = kw_flush(w)))
			return r;
		if (!key_slot_ok(w))
			return fail_at(w, cur);
	}
	if (w->tq.on && del == w->del) {
		kw_queue(w, cur);
		return 0;
	}
	r = bb_emu_take(w->c, cur, kw_value_slot(w, w->n), del);
	if (r)
		return r == -EFAULT ? fail_at(w, cur) : r;
	memcpy(w->stage + (size_t)w->staged++ * w->ks, cur, w->ks);
	w->n++;
	return w->staged == STAGE_KEYS ? stage_flush(w) : 0;
}

/* One pass: up to @lim elements, deleting them if @del. With @late, the
 * skip rule runs where the queue is taken (kw_pass). */
static long kw_pass_keys(struct key_walk *w, enum kw_start how, const void *start, uint32_t lim,
			 bool del, bool late, const void **next_out)
{
	/* Bounds the skipping after restarts: each restart re-walks at most the
	 * map once; more than this means the map is being churned, and the call
	 * returns what it has so far. */
	const uint64_t skip_limit =
		2ULL * ((uint64_t)w->c->m.info.max_entries + w->c->a.count) + 16;
	const uint64_t skipped_late = w->tq.skipped;
	uint64_t skips = 0;
	int cur = 0;
	long r = start_at(w, how, start);

	if (r)
		return r; /* -ENOENT: nothing (more) in the map */
	while (w->n < lim) {
		bool at_end = false;

		if (late && w->tq.skipped - skipped_late > skip_limit) /* (skips stays 0) */
			break;
		r = w->skip && !late ? w->skip(w->skip_arg, w->buf[cur]) : 0;
		if (r < 0)
			return kw_stop(w, r);
		if (r == KW_STOP)
			return kw_stop(w, KW_STOPPED);
		if (r) {
			if (++skips > skip_limit)
				break;
			r = bb_raw_map_get_next_key(w->c->m.fd, w->buf[cur], w->buf[cur]);
			if (r)
				return kw_stop(w, r);
			continue;
		}
		/* The successor first: a delete then never makes the walk restart. */
		r = bb_raw_map_get_next_key(w->c->m.fd, w->buf[cur], w->buf[cur ^ 1]);
		if (r == -ENOENT)
			at_end = true;
		else if (r)
			return kw_stop(w, r);
		r = kw_take(w, w->buf[cur], del);
		if (r && r != -ENOENT) /* -ENOENT: the element vanished */
			return kw_stop(w, r);
		if (at_end)
			return kw_stop(w, -ENOENT);
		cur ^= 1;
		if (w->tq.q && (kw_queue_full(w) || w->n == lim) && (r = kw_flush(w)))
			return kw_stop(w, r);
	}
	if ((r = kw_stop(w, 0)))
		return r;
	*next_out = w->buf[cur];
	return 0;
}

/*
 * One pass. Where values come in bulk and the skip rule has a prefetch hint,
 * the rule runs when the queue is taken, over the chunk: a key it drops is
 * then counted out again, as a key that vanished before its value was taken
 * is. Its memory misses (one per key, after a syscall that evicted the
 * cache) then overlap, instead of one per key met.
 */
static long kw_pass(struct key_walk *w, enum kw_start how, const void *start, uint32_t lim,
		    bool del, const void **next_out)
{
	bool late = w->skip && w->prefetch && w->tq.on && del == w->del; /* (queued) */
	long r;

	if (late) {
		w->tq.skip = w->skip;
		w->tq.hint = w->prefetch;
		w->tq.skip_arg = w->skip_arg;
	}
	r = kw_pass_keys(w, how, start, lim, del, late, next_out);
	w->tq.skip = NULL;
	w->tq.hint = NULL;
	w->tq.skip_arg = NULL;
	return r;
}

/* A run as the phase it is in: without deletes up to lim + 1 (the element
 * that would go to the first bad slot) in the first phase of a check. */
static long kw_phase(struct key_walk *w, enum kw_start how, const void *start,
		     const void **next_out)
{
	if (w->dry)
		return kw_pass(w, how, start, w->lim + 1, false, next_out);
	return kw_pass(w, how, start, w->lim, w->del, next_out);
}

bool kw_checked(const struct key_walk *w)
{
	return w->del && w->lim < w->cap;
}

long kw_run_checked(struct key_walk *w, long (*runs)(struct key_walk *w, void *arg), void *arg)
{
	uint32_t n0 = w->n;
	long r;

	if (!kw_checked(w) || w->checking)
		return runs(w, arg);
	/*
	 * Some slot the call may need cannot be written. Would the kernel get
	 * there? A phase without deletes finds out, filling the buffers as the
	 * kernel would up to the fault: if it faults, the call fails having
	 * deleted nothing. If the map ends first, the real phase runs from the
	 * same start. (Should inserts meanwhile take it to the bad slot, it
	 * stops before it with what it has, a short count: nothing is lost.)
	 */
	w->checking = w->dry = true;
	r = runs(w, arg);
	w->dry = false;
	if (r != -ENOENT) {
		r = r < 0 ? r : -EFAULT;
	} else if (w->lim) { /* (no slot at all: nothing there to delete) */
		w->n = n0;
		if (w->rewind)
			w->rewind(w->skip_arg);
		r = runs(w, arg);
	}
	w->checking = false;
	return r;
}

struct one_run {
	enum kw_start how;
	const void *start;
	const void **next;
};

static long one_run(struct key_walk *w, void *arg)
{
	struct one_run *o = arg;

	return kw_phase(w, o->how, o->start, o->next);
}

long kw_run(struct key_walk *w, enum kw_start how, const void *start, const void **next_out)
{
	struct one_run o = { how, start, next_out };

	if (w->checking)
		return kw_phase(w, how, start, next_out);
	return kw_run_checked(w, one_run, &o);
}

long kw_put_result(struct key_walk *w, const void *tok, uint32_t tok_size, bool count_first)
{
	struct bb_emu_call *c = (struct bb_emu_call *)w->c;
	void *out_batch = (void *)(uintptr_t)c->a.out_batch;

	if (count_first)
		return bb_emu_put_count(c, w->n) || (w->n && bb_mem_write(out_batch, tok, tok_size))
			       ? -EFAULT : 0;
	return bb_mem_write(out_batch, tok, tok_size) || bb_emu_put_count(c, w->n) ? -EFAULT : 0;
}
