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

static void *key_slot(const struct key_walk *w, uint32_t i)
{
	return w->keys + (size_t)i * w->ks;
}

void *kw_value_slot(const struct key_walk *w, uint32_t i)
{
	return w->values + (size_t)i * w->c->m.value_stride;
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
	w->buf[0] = malloc(2 * kbuf);
	if (!w->buf[0])
		return -ENOMEM;
	w->buf[1] = w->buf[0] + kbuf;
	bb_tq_init(&w->tq, c, del);
	return 0;
}

void kw_fini(struct key_walk *w)
{
	bb_tq_fini(&w->tq);
	free(w->buf[0]);
	w->buf[0] = w->buf[1] = NULL;
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
	return bb_tq_flush(&w->tq, &w->n);
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

/* The walk's first key: in keys[n] where the kernel takes a NULL key, else
 * in buf[0]. An unknown kernel is asked with a buffer of ours, so an EFAULT
 * can only mean "no NULL key here" (kprobe.h). */
static long first_key(struct key_walk *w, unsigned char **at)
{
	long r;

	*at = bb_kprobe_next_key_null_known() == BB_TRI_YES ? key_slot(w, w->n) : w->buf[0];
	r = bb_kprobe_next_key_null(w->c->m.fd, *at);
	if (r != BB_KPROBE_LACKS)
		return r;
	*at = w->buf[0];
	return first_key_after_absent(w, *at);
}

/*
 * The kernel loses what it deleted when the copy-out faults; the emulation
 * makes sure an element's slots can be written before deleting it. One check
 * per page of values, not per element.
 */
static long check_slots(struct key_walk *w, uint32_t n, const unsigned char *cur_key)
{
	uintptr_t v = (uintptr_t)kw_value_slot(w, n), end = v + w->c->m.value_stride;

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

int kw_put_keys(struct key_walk *w, const void *src, uint32_t n)
{
	if (bb_mem_write(key_slot(w, w->n), src, (size_t)n * w->ks))
		return -EFAULT;
	w->n += n;
	return 0;
}

/* Where the walk begins; *cur = the first key to consider, *in_buf = the
 * index of the local buffer holding it, or -1 when it is in keys[n]. */
static long start_at(struct key_walk *w, enum kw_start how, const void *start,
		     unsigned char **cur, int *in_buf)
{
	long r;

	*in_buf = -1;
	if (how == KW_AT) {
		memcpy(w->buf[0], start, w->ks);
		*cur = w->buf[0];
		*in_buf = 0;
		return 0;
	}
	if (how == KW_AFTER) {
		*cur = key_slot(w, w->n);
		return bb_raw_map_get_next_key(w->c->m.fd, start, *cur);
	}
	r = first_key(w, cur);
	if (*cur == w->buf[0])
		*in_buf = 0;
	return r;
}

/* Leave with @r, after taking what is queued: the element path would have
 * taken it before getting here. */
static long kw_stop(struct key_walk *w, long r)
{
	long f = kw_flush(w);

	return f ? f : r;
}

/*
 * After a flush that returned fewer elements than it had queued, the slots
 * move down: a current key the kernel wrote into a caller slot further up
 * (not the next one) would be overwritten by the next GET_NEXT_KEY, so it
 * moves to a buffer of ours (the kernel wrote that slot just now: plain
 * memory). Elsewhere the current key is in the next slot or ours already.
 */
static void kw_settle(struct key_walk *w, unsigned char **cur, int *free_buf)
{
	uintptr_t lo = (uintptr_t)w->keys, hi = lo + (uintptr_t)w->c->a.count * w->ks;

	if ((uintptr_t)*cur >= lo && (uintptr_t)*cur < hi && *cur != key_slot(w, w->n)) {
		memcpy(w->buf[*free_buf], *cur, w->ks);
		*cur = w->buf[*free_buf];
		*free_buf ^= 1;
	}
}

/* Take element @cur as element n: at once (0, -ENOENT if it vanished, or
 * -errno) or queued (0). For lookup-and-delete, first make sure its slots
 * can take it (the slot it really goes to, once the queue is taken). */
static long kw_take(struct key_walk *w, const unsigned char *cur)
{
	long r;

	if (w->del && (r = check_slots(w, w->n, cur))) {
		if (w->tq.q && !(r = kw_flush(w)))
			r = check_slots(w, w->n, cur);
		if (r) {
			/* The kernel has written the keys when the values fault. */
			if (cur != key_slot(w, w->n))
				bb_mem_write(key_slot(w, w->n), cur, w->ks);
			return r;
		}
	}
	if (w->tq.on) {
		kw_queue(w, cur);
		return 0;
	}
	r = bb_emu_take(w->c, cur, kw_value_slot(w, w->n), w->del);
	if (r == 0) {
		if (cur != key_slot(w, w->n) && bb_mem_write(key_slot(w, w->n), cur, w->ks))
			return -EFAULT;
		w->n++;
	}
	return r;
}

long kw_run(struct key_walk *w, enum kw_start how, const void *start, const void **next_out)
{
	const uint32_t count = w->c->a.count;
	/* Bounds the skipping after restarts: each restart re-walks at most the
	 * map once; more than this means the map is being churned, and the call
	 * returns what it has so far. */
	const uint64_t skip_limit = 2ULL * ((uint64_t)w->c->m.info.max_entries + count) + 16;
	uint64_t skips = 0;
	unsigned char *cur;
	int free_buf, in_buf;
	long r = start_at(w, how, start, &cur, &in_buf);

	if (r)
		return r; /* -ENOENT: nothing (more) in the map */
	free_buf = in_buf == 0 ? 1 : 0;

	while (w->n < count) {
		bool last = w->n + 1 >= count, at_end = false;
		unsigned char *next;

		r = w->skip ? w->skip(w->skip_arg, cur) : 0;
		if (r < 0)
			return kw_stop(w, r);
		if (r == KW_STOP)
			return kw_stop(w, KW_STOPPED);
		if (r) {
			if (++skips > skip_limit)
				break;
			r = bb_raw_map_get_next_key(w->c->m.fd, cur, cur);
			if (r)
				return kw_stop(w, r);
			continue;
		}

		next = last ? w->buf[free_buf] : key_slot(w, w->n + 1);
		r = bb_raw_map_get_next_key(w->c->m.fd, cur, next);
		if (r == -ENOENT)
			at_end = true;
		else if (r)
			return kw_stop(w, r);

		r = kw_take(w, cur);
		if (r && r != -ENOENT)
			return kw_stop(w, r);
		/* r == -ENOENT here: the element vanished; its slot is reused. */
		if (at_end)
			return kw_stop(w, -ENOENT);
		if (last) {
			cur = next;
			free_buf ^= 1;
		} else if (r == 0) {
			cur = next; /* already in keys[n] */
		} else {
			/* The kernel wrote both slots just now: plain memory. */
			memmove(key_slot(w, w->n), next, w->ks);
			cur = key_slot(w, w->n);
		}
		if (w->tq.q && (kw_queue_full(w) || w->n == count) && (r = kw_flush(w)))
			return r;
		kw_settle(w, &cur, &free_buf);
	}
	if ((r = kw_flush(w)))
		return r;
	*next_out = cur;
	return 0;
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
