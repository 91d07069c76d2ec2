/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-bench MODE [OPTIONS]: one line per figure, "MODE key=value ...".
 *
 *   table       every command x {batch 10, 1000, N, hand loops} on one map
 *   floor       emulated (or native) batch vs the best hand loop, alternated
 *               on the same map, median of per-pair ratios
 *   passthrough syscall(SYS_getpid), LOOKUP_ELEM and a native LOOKUP_BATCH
 *               of a whole --n-entry hash (--n 1000 for the per-call cost)
 *               through the interposed syscall() vs glibc's own, alternated
 *   count       one operation between two getppid() markers, for strace;
 *               the operation runs in bench_region() for callgrind
 *   ptcount     --iters calls of one passthrough kind (--op getpid|lookup_elem,
 *               --variant direct|shim) in bench_pt_region(), for callgrind
 *   scale       emulated batch and best loop per element at 10k, 100k, --n
 *   mem         peak RSS growth of a whole lookup / lookup-and-delete walk
 *   abandon     RSS while starting iterations that are never finished
 *   legacy      the loops BPFBATCH_ACCEL speeds up and what they are held
 *               to (--op dump|dumpall|items|dumploop|clear|delfloor; all
 *               by default), in bench_legacy.c
 *   bulk        every command at batch 100, 1000 and --n, for the bulk
 *               path's rounds (BPFBATCH_BULK), in bench_bulk.c
 *   alt         the table's batch rows through glibc's syscall() and the
 *               interposed one, alternated in one process, in bench_alt.c
 *   callcost    ns per single-element command, in bench_bulk.c
 *
 * Options: --type hash|percpu_hash|array, --n N, --ks BYTES, --vs BYTES,
 * --batch B, --reps R, --op OP, --variant batch|loop|loop3|walk,
 * --iters M, --count C, --quick (N = 100000), --skip V,V (table: variants
 * not to run). passthrough, ptcount, mem and abandon live in bench_sys.c.
 *
 * Hand loops: "loop" is the best single-element loop (lookup: get_next_key +
 * lookup; lookup_and_delete: get_next_key + LOOKUP_AND_DELETE_ELEM one
 * behind; delete: DELETE_ELEM of the given keys; update: UPDATE_ELEM),
 * "loop3" get_next_key + lookup + delete one behind, "walk" get_next_key +
 * delete one behind.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

enum need { NEED_ANY, NEED_FULL, NEED_EMPTY };

struct measure {
	const char *op;
	const char *variant;
	uint32_t batch; /* 0: N */
	bench_op_fn fn;
	enum need need;
	bool empties; /* leaves the map empty */
};

static const struct {
	const char *name;
	uint32_t type;
} map_types[] = {
	{ "hash", BPF_MAP_TYPE_HASH },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH },
	{ "array", BPF_MAP_TYPE_ARRAY },
};

static void parse_opts(int argc, char **argv, struct bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->type = BPF_MAP_TYPE_HASH;
	o->type_name = "hash";
	o->n = 1000000;
	o->ks = 8;
	o->vs = 8;
	o->batch = 1000;
	o->reps = 3;
	o->iters = 200000;
	o->count = 10000;
	o->op = "lookup";
	o->variant = "batch";
	if (argc < 2)
		bench_die("usage: bpfbatch-bench MODE [--option value]...", EINVAL);
	o->mode = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(k, "--quick") == 0) {
			o->n = 100000;
			continue;
		}
		if (!v)
			bench_die(k, EINVAL);
		i++;
		if (strcmp(k, "--type") == 0) {
			size_t t;

			for (t = 0; t < sizeof(map_types) / sizeof(map_types[0]); t++)
				if (strcmp(v, map_types[t].name) == 0)
					break;
			if (t == sizeof(map_types) / sizeof(map_types[0]))
				bench_die(v, EINVAL);
			o->type = map_types[t].type;
			o->type_name = map_types[t].name;
		} else if (strcmp(k, "--op") == 0) {
			o->op = v;
		} else if (strcmp(k, "--variant") == 0) {
			o->variant = v;
		} else if (strcmp(k, "--skip") == 0) {
			o->skip = v;
		} else {
			unsigned long x = strtoul(v, NULL, 0);

			if (strcmp(k, "--n") == 0)
				o->n = (uint32_t)x;
			else if (strcmp(k, "--ks") == 0)
				o->ks = (uint32_t)x;
			else if (strcmp(k, "--vs") == 0)
				o->vs = (uint32_t)x;
			else if (strcmp(k, "--batch") == 0)
				o->batch = (uint32_t)x;
			else if (strcmp(k, "--reps") == 0)
				o->reps = (uint32_t)x;
			else if (strcmp(k, "--iters") == 0)
				o->iters = (uint32_t)x;
			else if (strcmp(k, "--count") == 0)
				o->count = (uint32_t)x;
			else
				bench_die(k, EINVAL);
		}
	}
	if (o->type == BPF_MAP_TYPE_ARRAY)
		o->ks = 4; /* the index */
	if (!o->n || !o->batch || !o->reps)
		bench_die("--n, --batch and --reps must be positive", EINVAL);
}

/* Bring the map into the state a measurement needs (untimed). */
static void set_state(const struct bench_map *m, enum need need, bool *full)
{
	int r = 0;

	if (need == NEED_FULL && !*full)
		r = bench_fill(m);
	else if (need == NEED_EMPTY && *full)
		r = bench_clear(m);
	if (r)
		bench_die("fill/clear", r);
	if (need != NEED_ANY)
		*full = need == NEED_FULL;
}

/* Run one measurement; returns ns per element. */
static double run_one(const struct bench_map *m, struct bench_bufs *b, const struct measure *x,
		      bool *full)
{
	uint32_t batch = x->batch ? x->batch : m->n;
	uint64_t t0;
	long got;

	set_state(m, x->need, full);
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

/* Ordered so that each fill or clear between them serves the next one. */
static const struct measure hash_measures[] = {
	{ "update", "batch", 10, bench_update_batch, NEED_EMPTY, false },
	{ "lookup", "batch", 10, bench_lookup_batch, NEED_FULL, false },
	{ "lookup", "batch", 1000, bench_lookup_batch, NEED_FULL, false },
	{ "lookup", "batch", 0, bench_lookup_batch, NEED_FULL, false },
	{ "lookup", "loop", 0, bench_lookup_loop, NEED_FULL, false },
	{ "lookup_and_delete", "batch", 10, bench_lookup_and_delete_batch, NEED_FULL, true },
	{ "update", "batch", 1000, bench_update_batch, NEED_EMPTY, false },
	{ "lookup_and_delete", "batch", 1000, bench_lookup_and_delete_batch, NEED_FULL, true },
	{ "update", "batch", 0, bench_update_batch, NEED_EMPTY, false },
	{ "lookup_and_delete", "batch", 0, bench_lookup_and_delete_batch, NEED_FULL, true },
	{ "update", "loop", 0, bench_update_loop, NEED_EMPTY, false },
	{ "lookup_and_delete", "loop3", 0, bench_lookup_delete_loop, NEED_FULL, true },
	{ "lookup_and_delete", "loop", 0, bench_lookup_and_delete_loop, NEED_FULL, true },
	{ "delete", "batch", 10, bench_delete_batch, NEED_FULL, true },
	{ "delete", "batch", 1000, bench_delete_batch, NEED_FULL, true },
	{ "delete", "batch", 0, bench_delete_batch, NEED_FULL, true },
	{ "delete", "walk", 0, bench_delete_walk_loop, NEED_FULL, true },
	{ "delete", "loop", 0, bench_delete_key_loop, NEED_FULL, true },
};

static const struct measure array_measures[] = {
	{ "update", "batch", 10, bench_update_batch, NEED_ANY, false },
	{ "update", "batch", 1000, bench_update_batch, NEED_ANY, false },
	{ "update", "batch", 0, bench_update_batch, NEED_ANY, false },
	{ "update", "loop", 0, bench_update_loop, NEED_ANY, false },
	{ "lookup", "batch", 10, bench_lookup_batch, NEED_ANY, false },
	{ "lookup", "batch", 1000, bench_lookup_batch, NEED_ANY, false },
	{ "lookup", "batch", 0, bench_lookup_batch, NEED_ANY, false },
	{ "lookup", "loop", 0, bench_array_lookup_loop, NEED_ANY, false },
};

static void measures_for(const struct bench_map *m, const struct measure **v, size_t *n)
{
	if (m->hash) {
		*v = hash_measures;
		*n = sizeof(hash_measures) / sizeof(hash_measures[0]);
	} else {
		*v = array_measures;
		*n = sizeof(array_measures) / sizeof(array_measures[0]);
	}
}

static void map_setup(const struct bench_opts *o, struct bench_map *m, struct bench_bufs *b,
		      uint32_t cap)
{
	int r = bench_map_new(m, o->type, o->n, o->ks, o->vs, true);

	if (r)
		bench_die("map create", r);
	r = bench_bufs_new(b, m, cap);
	if (r)
		bench_die("buffers", r);
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

static int mode_table(const struct bench_opts *o)
{
	const struct measure *ms;
	struct bench_map m;
	struct bench_bufs b;
	size_t nm;
	double *samples;
	bool full = false;

	map_setup(o, &m, &b, o->n);
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
				samples[i * o->reps + rep] = run_one(&m, &b, &ms[i], &full);
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

/* Batch vs its floor, alternated on the same map so drift hits both. */
static int mode_floor(const struct bench_opts *o)
{
	static const struct {
		const char *op;
		bench_op_fn batch_fn, hash_loop, array_loop;
		enum need need;
		bool empties;
	} pairs[] = {
		{ "lookup", bench_lookup_batch, bench_lookup_loop, bench_array_lookup_loop,
		  NEED_FULL, false },
		{ "lookup_and_delete", bench_lookup_and_delete_batch,
		  bench_lookup_and_delete_loop, NULL, NEED_FULL, true },
		{ "update", bench_update_batch, bench_update_loop, bench_update_loop, NEED_EMPTY,
		  false },
		{ "delete", bench_delete_batch, bench_delete_key_loop, NULL, NEED_FULL, true },
	};
	struct bench_map m;
	struct bench_bufs b;
	bool full = false;
	double *bs = calloc(o->reps, sizeof(double)), *ls = calloc(o->reps, sizeof(double)),
	       *rs = calloc(o->reps, sizeof(double));

	if (!bs || !ls || !rs)
		bench_die("samples", ENOMEM);
	map_setup(o, &m, &b, o->batch);
	if (!m.hash) {
		if (bench_fill(&m))
			bench_die("fill", EIO);
		full = true;
	}
	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		bench_op_fn loop = m.hash ? pairs[p].hash_loop : pairs[p].array_loop;
		enum need need = m.hash ? pairs[p].need : NEED_ANY;

		if (!loop)
			continue;
		for (uint32_t rep = 0; rep < o->reps; rep++) {
			struct measure xb = { pairs[p].op, "batch", o->batch, pairs[p].batch_fn,
					      need, pairs[p].empties && m.hash };
			struct measure xl = { pairs[p].op, "loop", 0, loop, need,
					      pairs[p].empties && m.hash };

			if (rep % 2) {
				ls[rep] = run_one(&m, &b, &xl, &full);
				bs[rep] = run_one(&m, &b, &xb, &full);
			} else {
				bs[rep] = run_one(&m, &b, &xb, &full);
				ls[rep] = run_one(&m, &b, &xl, &full);
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
static int mode_scale(const struct bench_opts *o)
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
			map_setup(&oz, &m, &b, o->batch);
			for (size_t p = 0; p < 2; p++) {
				struct measure xb = { ops[p].op, "batch", o->batch, ops[p].batch_fn,
						      NEED_FULL, p == 1 };
				struct measure xl = { ops[p].op, "loop", 0, ops[p].loop_fn,
						      NEED_FULL, p == 1 };
				size_t at = ((size_t)z * 2 + p) * o->reps + rep;

				bs[at] = run_one(&m, &b, &xb, &full);
				ls[at] = run_one(&m, &b, &xl, &full);
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

static bench_op_fn count_fn(const struct bench_opts *o, bool hash, enum need *need)
{
	static const struct {
		const char *op, *variant;
		bench_op_fn hash_fn, array_fn;
		enum need need;
	} ops[] = {
		{ "lookup", "batch", bench_lookup_batch, bench_lookup_batch, NEED_FULL },
		{ "lookup", "loop", bench_lookup_loop, bench_array_lookup_loop, NEED_FULL },
		{ "lookup_and_delete", "batch", bench_lookup_and_delete_batch, NULL, NEED_FULL },
		{ "lookup_and_delete", "loop", bench_lookup_and_delete_loop, NULL, NEED_FULL },
		{ "lookup_and_delete", "loop3", bench_lookup_delete_loop, NULL, NEED_FULL },
		{ "update", "batch", bench_update_batch, bench_update_batch, NEED_EMPTY },
		{ "update", "loop", bench_update_loop, bench_update_loop, NEED_EMPTY },
		{ "delete", "batch", bench_delete_batch, NULL, NEED_FULL },
		{ "delete", "loop", bench_delete_key_loop, NULL, NEED_FULL },
		{ "delete", "walk", bench_delete_walk_loop, NULL, NEED_FULL },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].op, o->op) || strcmp(ops[i].variant, o->variant))
			continue;
		*need = hash ? ops[i].need : NEED_FULL;
		return hash ? ops[i].hash_fn : ops[i].array_fn;
	}
	return NULL;
}

/* The measured region, by name for callgrind --toggle-collect. */
__attribute__((noinline)) long bench_region(bench_op_fn fn, const struct bench_map *m,
					    struct bench_bufs *b, uint32_t batch);

__attribute__((noinline)) long bench_region(bench_op_fn fn, const struct bench_map *m,
					    struct bench_bufs *b, uint32_t batch)
{
	return fn(m, b, batch);
}

static int mode_count(const struct bench_opts *o)
{
	struct bench_map m;
	struct bench_bufs b;
	enum need need;
	bool full = false;
	bench_op_fn fn;
	long got;

	map_setup(o, &m, &b, o->batch);
	fn = count_fn(o, m.hash, &need);
	if (!fn)
		bench_die("no such op/variant for this map type", EINVAL);
	set_state(&m, need, &full);
	/* Markers: strace -e trace=bpf,getppid counts the bpf calls between. */
	syscall(SYS_getppid);
	got = bench_region(fn, &m, &b, o->batch);
	syscall(SYS_getppid);
	if (got < 0)
		bench_die(o->op, got);
	printf("count type=%s op=%s variant=%s batch=%u n=%u elements=%ld\n", o->type_name, o->op,
	       o->variant, o->batch, o->n, got);
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct bench_opts *o);
	} modes[] = {
		{ "table", mode_table },	     { "floor", mode_floor },
		{ "passthrough", bench_mode_passthrough }, { "count", mode_count },
		{ "mem", bench_mode_mem },		     { "abandon", bench_mode_abandon },
		{ "ptcount", bench_mode_ptcount },	     { "scale", mode_scale },
		{ "legacy", bench_mode_legacy },	     { "bulk", bench_mode_bulk },
		{ "alt", bench_mode_alt },		     { "callcost", bench_mode_callcost },
	};
	struct bench_opts o;

	parse_opts(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(o.mode, modes[i].name) == 0)
			return modes[i].fn(&o);
	return bench_die(o.mode, EINVAL);
}
