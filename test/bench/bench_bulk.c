/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-bench bulk: the four batch commands at batch 100, 1000 and N on
 * one --n entry map (--type hash: update, lookup, lookup-and-delete,
 * delete; array: update, lookup), one line each:
 *
 *   bulk type=hash op=lookup batch=1000 n=N ns_per_elem=... total_ms=...
 *
 * The same program runs natively, and through the shim on a simulated old
 * kernel with BPFBATCH_BULK on and off (scripts/bench.sh, section 8), so
 * that every ratio compares runs made side by side. Fills and clears are
 * untimed.
 *
 * bpfbatch-bench callcost: what one single-element command costs here
 * (under a simulator, its notify helper included), --iters calls each:
 *
 *   callcost get_next_ns=... lookup_ns=... update_ns=... delete_ns=...
 *
 * A lookup walk of the element path pays get_next + lookup per element, the
 * bulk path get_next alone: (get_next + lookup) / get_next bounds the
 * speedup any lookup walk can have there.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "bench.h"

/* CPU time of this process, ns: on a machine shared with other jobs, wall
 * time mostly measures waiting; this is what the process itself spent (the
 * simulator's notify helper, a separate process, is not in it). */
static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ULL +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ULL;
}

static uint64_t last_cpu;

static double timed(const struct bench_map *m, struct bench_bufs *b, bench_op_fn fn,
		    uint32_t batch, const char *what)
{
	uint64_t c0 = cpu_ns(), t0 = bench_now_ns();
	long got = fn(m, b, batch);
	uint64_t t = bench_now_ns() - t0;

	last_cpu = cpu_ns() - c0;
	if (got < 0)
		bench_die(what, got);
	if ((uint32_t)got != m->n) {
		fprintf(stderr, "bpfbatch-bench: bulk %s: %ld elements, expected %u\n", what, got,
			m->n);
		exit(1);
	}
	return (double)t / m->n;
}

static void report(const struct bench_opts *o, const char *op, uint32_t batch, double ns)
{
	printf("bulk type=%s op=%s batch=%u n=%u ns_per_elem=%.1f total_ms=%.1f cpu_ms=%.1f\n",
	       o->type_name, op, batch, o->n, ns, ns * o->n / 1e6, (double)last_cpu / 1e6);
}

int bench_mode_bulk(const struct bench_opts *o)
{
	const uint32_t batches[] = { 100, 1000, o->n };
	struct bench_map m;
	struct bench_bufs b;
	int r = bench_map_new(&m, o->type, o->n, o->ks, o->vs, true);

	if (r)
		bench_die("map create", r);
	r = bench_bufs_new(&b, &m, o->n);
	if (r)
		bench_die("buffers", r);
	for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		uint32_t bs = batches[i];

		report(o, "update", bs, timed(&m, &b, bench_update_batch, bs, "update"));
		report(o, "lookup", bs, timed(&m, &b, bench_lookup_batch, bs, "lookup"));
		if (!m.hash)
			continue;
		report(o, "lookup_and_delete", bs,
		       timed(&m, &b, bench_lookup_and_delete_batch, bs, "lookup_and_delete"));
		if ((r = bench_fill(&m)))
			bench_die("fill", r);
		report(o, "delete", bs, timed(&m, &b, bench_delete_batch, bs, "delete"));
	}
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}

int bench_mode_callcost(const struct bench_opts *o)
{
	uint64_t key = 1, next, val = 2, missing = 3, t[5];
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "callcost", 8, 8, 16, NULL);

	if (fd < 0)
		bench_die("map create", fd);
	if (bpf_map_update_elem(fd, &key, &val, BPF_ANY))
		bench_die("update", -errno);
	t[0] = bench_now_ns();
	for (uint32_t i = 0; i < o->iters; i++)
		bpf_map_get_next_key(fd, &key, &next);
	t[1] = bench_now_ns();
	for (uint32_t i = 0; i < o->iters; i++)
		bpf_map_lookup_elem(fd, &key, &val);
	t[2] = bench_now_ns();
	for (uint32_t i = 0; i < o->iters; i++)
		bpf_map_update_elem(fd, &key, &val, BPF_ANY);
	t[3] = bench_now_ns();
	for (uint32_t i = 0; i < o->iters; i++)
		bpf_map_delete_elem(fd, &missing);
	t[4] = bench_now_ns();
	printf("callcost get_next_ns=%.0f lookup_ns=%.0f update_ns=%.0f delete_ns=%.0f\n",
	       (double)(t[1] - t[0]) / o->iters, (double)(t[2] - t[1]) / o->iters,
	       (double)(t[3] - t[2]) / o->iters, (double)(t[4] - t[3]) / o->iters);
	return 0;
}
