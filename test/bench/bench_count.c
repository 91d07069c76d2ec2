/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-bench count: one operation between two getppid() markers, for
 * strace; the operation runs in bench_region() for callgrind. --skip op
 * sets the map up the same way and runs nothing, so that counters kept for
 * the whole process (BPFBATCH_STATS) give the operation's own as the
 * difference of the two runs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

static bench_op_fn count_fn(const struct bench_opts *o, bool hash, enum bench_need *need)
{
	static const struct {
		const char *op, *variant;
		bench_op_fn hash_fn, array_fn;
		enum bench_need need;
	} ops[] = {
		{ "lookup", "batch", bench_lookup_batch, bench_lookup_batch, BENCH_NEED_FULL },
		{ "lookup", "loop", bench_lookup_loop, bench_array_lookup_loop, BENCH_NEED_FULL },
		{ "lookup_and_delete", "batch", bench_lookup_and_delete_batch, NULL, BENCH_NEED_FULL },
		{ "lookup_and_delete", "loop", bench_lookup_and_delete_loop, NULL, BENCH_NEED_FULL },
		{ "lookup_and_delete", "loop3", bench_lookup_delete_loop, NULL, BENCH_NEED_FULL },
		{ "update", "batch", bench_update_batch, bench_update_batch, BENCH_NEED_EMPTY },
		{ "update", "loop", bench_update_loop, bench_update_loop, BENCH_NEED_EMPTY },
		{ "delete", "batch", bench_delete_batch, NULL, BENCH_NEED_FULL },
		{ "delete", "loop", bench_delete_key_loop, NULL, BENCH_NEED_FULL },
		{ "delete", "walk", bench_delete_walk_loop, NULL, BENCH_NEED_FULL },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].op, o->op) || strcmp(ops[i].variant, o->variant))
			continue;
		*need = hash ? ops[i].need : BENCH_NEED_FULL;
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

int bench_mode_count(const struct bench_opts *o)
{
	struct bench_map m;
	struct bench_bufs b;
	enum bench_need need;
	bool full = false;
	bench_op_fn fn;
	bool skip = o->skip && strcmp(o->skip, "op") == 0;
	long got;

	bench_map_setup(o, &m, &b, o->batch);
	fn = count_fn(o, m.hash, &need);
	if (!fn)
		bench_die("no such op/variant for this map type", EINVAL);
	bench_set_state(&m, need, &full);
	/* Markers: strace -e trace=bpf,getppid counts the bpf calls between. */
	syscall(SYS_getppid);
	got = skip ? 0 : bench_region(fn, &m, &b, o->batch);
	syscall(SYS_getppid);
	if (got < 0)
		bench_die(o->op, got);
	printf("count type=%s op=%s variant=%s batch=%u n=%u elements=%ld\n", o->type_name, o->op,
	       o->variant, o->batch, o->n, got);
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}
