/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-bench table: every command x {batch 10, 1000, N, hand loops} on
 * one map; and what every timed mode shares: one measurement on a map
 * brought into the state it needs (bench.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* Bring the map into the state a measurement needs (untimed). */
void bench_set_state(const struct bench_map *m, enum bench_need need, bool *full)
{
	int r = 0;

	if (need == BENCH_NEED_FULL && !*full)
		r = bench_fill(m);
	else if (need == BENCH_NEED_EMPTY && *full)
		r = bench_clear(m);
	if (r)
		bench_die("fill/clear", r);
	if (need != BENCH_NEED_ANY)
		*full = need == BENCH_NEED_FULL;
}

/* Run one measurement; returns ns per element. */
double bench_run_one(const struct bench_map *m, struct bench_bufs *b, const struct bench_measure *x,
		      bool *full)
{
	uint32_t batch = x->batch ? x->batch : m->n;
	uint64_t t0;
	long got;

	bench_set_state(m, x->need, full);
	t0 = bench_now_ns();
	got = x->fn(m, b, batch);
	t0 = bench_now_ns() - t0;
	if (got < 0)
		bench_die(x->op, got);
	if ((uint32_t)got != m->n) {
		fprintf(stderr, "bpfbatch-bench: %s/%s: %ld elements, expected %u\n", x->op,
			x->variant, got, m->n);
		exit(1);
	}
	*full = !x->empties;
	return (double)t0 / m->n;
}

void bench_map_setup(const struct bench_opts *o, struct bench_map *m, struct bench_bufs *b,
		      uint32_t cap)
{
	int r = bench_map_new(m, o->type, o->n, o->ks, o->vs, true);

	if (r)
		bench_die("map create", r);
	r = bench_bufs_new(b, m, cap);
	if (r)
		bench_die("buffers", r);
}

/* Ordered so that each fill or clear between them serves the next one. */
static const struct bench_measure hash_measures[] = {
	{ "update", "batch", 10, bench_update_batch, BENCH_NEED_EMPTY, false },
	{ "lookup", "batch", 10, bench_lookup_batch, BENCH_NEED_FULL, false },
	{ "lookup", "batch", 1000, bench_lookup_batch, BENCH_NEED_FULL, false },
	{ "lookup", "batch", 0, bench_lookup_batch, BENCH_NEED_FULL, false },
	{ "lookup", "loop", 0, bench_lookup_loop, BENCH_NEED_FULL, false },
	{ "lookup_and_delete", "batch", 10, bench_lookup_and_delete_batch, BENCH_NEED_FULL, true },
	{ "update", "batch", 1000, bench_update_batch, BENCH_NEED_EMPTY, false },
	{ "lookup_and_delete", "batch", 1000, bench_lookup_and_delete_batch, BENCH_NEED_FULL, true },
	{ "update", "batch", 0, bench_update_batch, BENCH_NEED_EMPTY, false },
	{ "lookup_and_delete", "batch", 0, bench_lookup_and_delete_batch, BENCH_NEED_FULL, true },
	{ "update", "loop", 0, bench_update_loop, BENCH_NEED_EMPTY, false },
	{ "lookup_and_delete", "loop3", 0, bench_lookup_delete_loop, BENCH_NEED_FULL, true },
	{ "lookup_and_delete", "loop", 0, bench_lookup_and_delete_loop, BENCH_NEED_FULL, true },
	{ "delete", "batch", 10, bench_delete_batch, BENCH_NEED_FULL, true },
	{ "delete", "batch", 1000, bench_delete_batch, BENCH_NEED_FULL, true },
	{ "delete", "batch", 0, bench_delete_batch, BENCH_NEED_FULL, true },
	{ "delete", "walk", 0, bench_delete_walk_loop, BENCH_NEED_FULL, true },
	{ "delete", "loop", 0, bench_delete_key_loop, BENCH_NEED_FULL, true },
};

static const struct bench_measure array_measures[] = {
	{ "update", "batch", 10, bench_update_batch, BENCH_NEED_ANY, false },
	{ "update", "batch", 1000, bench_update_batch, BENCH_NEED_ANY, false },
	{ "update", "batch", 0, bench_update_batch, BENCH_NEED_ANY, false },
	{ "update", "loop", 0, bench_update_loop, BENCH_NEED_ANY, false },
	{ "lookup", "batch", 10, bench_lookup_batch, BENCH_NEED_ANY, false },
	{ "lookup", "batch", 1000, bench_lookup_batch, BENCH_NEED_ANY, false },
	{ "lookup", "batch", 0, bench_lookup_batch, BENCH_NEED_ANY, false },
	{ "lookup", "loop", 0, bench_array_lookup_loop, BENCH_NEED_ANY, false },
};

static void measures_for(const struct bench_map *m, const struct bench_measure **v, size_t *n)
{
	if (m->hash) {
		*v = hash_measures;
		*n = sizeof(hash_measures) / sizeof(hash_measures[0]);
	} else {
		*v = array_measures;
		*n = sizeof(array_measures) / sizeof(array_measures[0]);
	}
}

/* Is @variant in the comma-separated @list? */
static bool listed(const char *list, const char *variant)
{
	size_t len = strlen(variant);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && strncmp(p, variant, len) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

int bench_mode_table(const struct bench_opts *o)
{
	const struct bench_measure *ms;
	struct bench_map m;
	struct bench_bufs b;
	size_t nm;
	double *samples;
	bool full = false;

	bench_map_setup(o, &m, &b, o->n);
	measures_for(&m, &ms, &nm);
	samples = calloc(nm * o->reps, sizeof(*samples));
	if (!samples)
		bench_die("samples", ENOMEM);
	if (!m.hash && bench_fill(&m))
		bench_die("fill", EIO);
	full = !m.hash;
	for (uint32_t rep = 0; rep < o->reps; rep++)
		for (size_t i = 0; i < nm; i++)
			if (!listed(o->skip, ms[i].variant))
				samples[i * o->reps + rep] = bench_run_one(&m, &b, &ms[i], &full);
	for (size_t i = 0; i < nm; i++) {
		double *s = samples + i * o->reps;
		double med = bench_median(s, o->reps);

		if (listed(o->skip, ms[i].variant))
			continue;
		printf("table type=%s op=%s variant=%s batch=%u n=%u reps=%u ns_per_elem=%.1f "
		       "min=%.1f max=%.1f total_ms=%.1f\n",
		       o->type_name, ms[i].op, ms[i].variant, ms[i].batch ? ms[i].batch : o->n,
		       o->n, o->reps, med, s[0], s[o->reps - 1], med * o->n / 1e6);
	}
	free(samples);
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}
