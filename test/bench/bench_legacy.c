/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Legacy loops for BPFBATCH_ACCEL: bcc's items() (GET_NEXT_KEY + LOOKUP_ELEM
 * per key, every element kept), bpftool's dump (the same into two reused
 * buffers), clear() (GET_NEXT_KEY of the key just deleted, then DELETE), and
 * what each is measured against: a native LOOKUP_BATCH(1000) dump into
 * reused buffers (dump) or keeping every element as items() does (dumpall),
 * and one DELETE_ELEM per key already known (delfloor: the least any clear()
 * that deletes element by element can cost).
 * The same program runs with and without acceleration; bench.sh divides.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* bcc's clear(): for k in keys(): del t[k] -- each GET_NEXT_KEY names the
 * key the step before deleted, which makes the kernel restart its walk. */
static long clear_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	char *prev = b->keys, *next = b->keys + m->ks;
	long n = 0;
	int r = bpf_map_get_next_key(m->fd, NULL, prev);

	(void)batch;
	while (r == 0) {
		char *t;
		int er = bpf_map_delete_elem(m->fd, prev);

		if (er == 0)
			n++;
		else if (er != -ENOENT)
			return er;
		r = bpf_map_get_next_key(m->fd, prev, next);
		t = prev;
		prev = next;
		next = t;
	}
	return r == -ENOENT ? n : r;
}

/* bpftool's dump: get_next_key + lookup into the same two buffers each
 * step (items() keeps every element, which costs its own memory traffic). */
static long dump_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	char *key[2] = { b->keys, b->keys + m->ks }, *val = b->vals;
	long n = 0;
	int cur = 0, r = bpf_map_get_next_key(m->fd, NULL, key[0]);

	(void)batch;
	while (r == 0) {
		if (bpf_map_lookup_elem(m->fd, key[cur], val) == 0)
			n++;
		r = bpf_map_get_next_key(m->fd, key[cur], key[!cur]);
		cur = !cur;
	}
	return r == -ENOENT ? n : r;
}

/* Untimed, before delfloor: every key, in the walk's order, by
 * GET_NEXT_KEY (which every kernel has). */
static long keys_in_order(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	uint32_t n = 0;
	int r = bpf_map_get_next_key(m->fd, NULL, b->keys);

	(void)batch;
	while (r == 0 && ++n < b->cap)
		r = bpf_map_get_next_key(m->fd, b->keys + (size_t)(n - 1) * m->ks,
					 b->keys + (size_t)n * m->ks);
	return r == 0 || r == -ENOENT ? (long)n : r;
}

/* DELETE_ELEM of every key, known beforehand in the walk's order. */
static long delete_floor(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	long n = 0;

	for (uint32_t i = 0; i < batch; i++) {
		int r = bpf_map_delete_elem(m->fd, b->keys + (size_t)i * m->ks);

		if (r)
			return r;
		n++;
	}
	return n;
}

int bench_mode_legacy(const struct bench_opts *o)
{
	static const struct {
		const char *op;
		bench_op_fn fn;
		uint32_t batch;
		bench_op_fn prep; /* untimed; its count is fn's batch */
		bool empties;     /* the map must be filled again after it */
	} ops[] = {
		{ "dump", bench_lookup_batch, 1000, NULL, false },
		{ "dumpall", bench_lookup_batch_keep, 1000, NULL, false },
		{ "items", bench_lookup_loop, 0, NULL, false },
		{ "dumploop", dump_loop, 0, NULL, false },
		{ "clear", clear_loop, 0, NULL, true },
		{ "delfloor", delete_floor, 0, keys_in_order, true },
	};
	struct bench_map m;
	struct bench_bufs b;
	bool full = false;
	double *s = calloc(o->reps, sizeof(double));

	if (!s)
		bench_die("samples", ENOMEM);
	/* Keys not kept: the fill is UPDATE_ELEM per key, which 5.4 has. */
	if (bench_map_new(&m, o->type, o->n, o->ks, o->vs, false) || bench_bufs_new(&b, &m, o->n))
		bench_die("map", EIO);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		/* --op picks one (the default, lookup, means all) */
		if (strcmp(o->op, "lookup") && strcmp(o->op, ops[i].op))
			continue;
		for (uint32_t rep = 0; rep < o->reps; rep++) {
			uint32_t batch = ops[i].batch ? ops[i].batch : o->n;
			uint64_t t0;
			long got;

			if (!full && bench_fill(&m))
				bench_die("fill", EIO);
			if (ops[i].prep) {
				got = ops[i].prep(&m, &b, batch);
				if (got != (long)m.n)
					bench_die("prep", got < 0 ? got : -EIO);
				batch = (uint32_t)got;
			}
			t0 = bench_now_ns();
			got = ops[i].fn(&m, &b, batch);
			t0 = bench_now_ns() - t0;
			if (got != (long)m.n)
				bench_die(ops[i].op, got < 0 ? got : -EIO);
			s[rep] = (double)t0 / m.n;
			full = !ops[i].empties;
		}
		printf("legacy type=%s op=%s n=%u reps=%u ns_per_elem=%.1f total_ms=%.1f\n",
		       o->type_name, ops[i].op, o->n, o->reps, bench_median(s, o->reps),
		       bench_median(s, o->reps) * o->n / 1e6);
	}
	free(s);
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}
