/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-bench floor and scale: emulated (or native) batch against the
 * best hand loop, alternated on one map; and the cost per element at 10k,
 * 100k and --n in one process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

/* Batch vs its floor, alternated on the same map so drift hits both. */
int bench_mode_floor(const struct bench_opts *o)
{
	static const struct {
		const char *op;
		bench_op_fn batch_fn, hash_loop, array_loop;
		enum bench_need need;
		bool empties;
	} pairs[] = {
		{ "lookup", bench_lookup_batch, bench_lookup_loop, bench_array_lookup_loop,
		  BENCH_NEED_FULL, false },
		{ "lookup_and_delete", bench_lookup_and_delete_batch,
		  bench_lookup_and_delete_loop, NULL, BENCH_NEED_FULL, true },
		{ "update", bench_update_batch, bench_update_loop, bench_update_loop, BENCH_NEED_EMPTY,
		  false },
		{ "delete", bench_delete_batch, bench_delete_key_loop, NULL, BENCH_NEED_FULL, true },
	};
	struct bench_map m;
	struct bench_bufs b;
	bool full = false;
	double *bs = calloc(o->reps, sizeof(double)), *ls = calloc(o->reps, sizeof(double)),
	       *rs = calloc(o->reps, sizeof(double));

	if (!bs || !ls || !rs)
		bench_die("samples", ENOMEM);
	bench_map_setup(o, &m, &b, o->batch);
	if (!m.hash) {
		if (bench_fill(&m))
			bench_die("fill", EIO);
		full = true;
	}
	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		bench_op_fn loop = m.hash ? pairs[p].hash_loop : pairs[p].array_loop;
		enum bench_need need = m.hash ? pairs[p].need : BENCH_NEED_ANY;

		if (!loop)
			continue;
		for (uint32_t rep = 0; rep < o->reps; rep++) {
			struct bench_measure xb = { pairs[p].op, "batch", o->batch, pairs[p].batch_fn,
					      need, pairs[p].empties && m.hash };
			struct bench_measure xl = { pairs[p].op, "loop", 0, loop, need,
					      pairs[p].empties && m.hash };

			if (rep % 2) {
				ls[rep] = bench_run_one(&m, &b, &xl, &full);
				bs[rep] = bench_run_one(&m, &b, &xb, &full);
			} else {
				bs[rep] = bench_run_one(&m, &b, &xb, &full);
				ls[rep] = bench_run_one(&m, &b, &xl, &full);
			}
			rs[rep] = bs[rep] / ls[rep];
		}
		printf("floor type=%s op=%s batch=%u n=%u reps=%u batch_ns=%.1f loop_ns=%.1f "
		       "ratio=%.3f\n",
		       o->type_name, pairs[p].op, o->batch, o->n, o->reps,
		       bench_median(bs, o->reps), bench_median(ls, o->reps),
		       bench_median(rs, o->reps));
	}
	free(bs);
	free(ls);
	free(rs);
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}

/*
 * Cost per element against map size, in one process: every repetition
 * walks a map of each size in turn (10k, 100k, --n), emulated batch of
 * --batch and the best loop, so a slow spell hits all sizes alike.
 */
int bench_mode_scale(const struct bench_opts *o)
{
	static const struct {
		const char *op;
		bench_op_fn batch_fn, loop_fn;
	} ops[] = {
		{ "lookup", bench_lookup_batch, bench_lookup_loop },
		{ "lookup_and_delete", bench_lookup_and_delete_batch,
		  bench_lookup_and_delete_loop },
	};
	uint32_t sizes[3] = { 10000, 100000, o->n };
	uint32_t nsizes = o->n > 100000 ? 3 : o->n > 10000 ? 2 : 1;
	double *bs = calloc((size_t)o->reps * 3 * 2, sizeof(double));
	double *ls = calloc((size_t)o->reps * 3 * 2, sizeof(double));

	if (!bs || !ls)
		bench_die("samples", ENOMEM);
	if (nsizes < 3)
		sizes[nsizes - 1] = o->n;
	for (uint32_t rep = 0; rep < o->reps; rep++) {
		for (uint32_t z = 0; z < nsizes; z++) {
			struct bench_opts oz = *o;
			struct bench_map m;
			struct bench_bufs b;
			bool full = false;

			oz.n = sizes[z];
			bench_map_setup(&oz, &m, &b, o->batch);
			for (size_t p = 0; p < 2; p++) {
				struct bench_measure xb = { ops[p].op, "batch", o->batch, ops[p].batch_fn,
						      BENCH_NEED_FULL, p == 1 };
				struct bench_measure xl = { ops[p].op, "loop", 0, ops[p].loop_fn,
						      BENCH_NEED_FULL, p == 1 };
				size_t at = ((size_t)z * 2 + p) * o->reps + rep;

				bs[at] = bench_run_one(&m, &b, &xb, &full);
				ls[at] = bench_run_one(&m, &b, &xl, &full);
			}
			bench_bufs_free(&b);
			bench_map_free(&m);
		}
	}
	for (uint32_t z = 0; z < nsizes; z++)
		for (size_t p = 0; p < 2; p++) {
			size_t at = ((size_t)z * 2 + p) * o->reps;

			printf("scale type=%s op=%s batch=%u n=%u reps=%u batch_ns=%.1f "
			       "loop_ns=%.1f\n",
			       o->type_name, ops[p].op, o->batch, sizes[z], o->reps,
			       bench_median(bs + at, o->reps), bench_median(ls + at, o->reps));
		}
	free(bs);
	free(ls);
	return 0;
}
