/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-bench alt: the seed table's batch rows (every command at batch
 * 10, 1000 and --n on a hash map) with glibc's own syscall() and with the
 * interposed one, alternated in one process (the order swapped every
 * repetition), as the pass-through rows are measured; one line per figure
 * with the median of the per-pair ratios:
 *
 *   alt type=hash op=update batch=1000 n=N reps=R direct_ms=... shim_ms=... ratio=...
 *
 * Run preloaded (BPFBATCH_MODE=auto on a kernel with the batch commands:
 * the shim passes them through). The batch calls are made here, with the
 * attr libbpf makes (56 bytes), so that only the syscall entry differs.
 */
#include <bpf/bpf.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

typedef long (*syscall_fn)(long, ...);

static syscall_fn entry; /* the one the current measurement uses */

static long batch_call(int cmd, int fd, void *in, void *out, void *keys, void *vals,
		       uint32_t *count)
{
	union bpf_attr a;
	long r;

	memset(&a, 0, sizeof(a));
	a.batch.in_batch = (__u64)(uintptr_t)in;
	a.batch.out_batch = (__u64)(uintptr_t)out;
	a.batch.keys = (__u64)(uintptr_t)keys;
	a.batch.values = (__u64)(uintptr_t)vals;
	a.batch.count = *count;
	a.batch.map_fd = (__u32)fd;
	r = entry(__NR_bpf, cmd, &a, 56);
	*count = a.batch.count;
	return r < 0 ? -errno : r;
}

static long walk(const struct bench_map *m, struct bench_bufs *b, uint32_t batch, int cmd)
{
	uint32_t tok = 0;
	void *in = NULL;
	long total = 0;

	for (;;) {
		uint32_t cnt = batch < b->cap ? batch : b->cap;
		long r = batch_call(cmd, m->fd, in, &tok, b->keys, b->vals, &cnt);

		if (r == -ENOSPC) { /* a bucket larger than the batch: grow, as clients do */
			cnt = b->cap;
			r = batch_call(cmd, m->fd, in, &tok, b->keys, b->vals, &cnt);
		}
		if (r && r != -ENOENT)
			return r;
		total += cnt;
		if (r)
			return total;
		in = &tok;
	}
}

static long writes(const struct bench_map *m, uint32_t batch, int cmd)
{
	for (uint32_t i = 0; i < m->n; i += batch) {
		uint32_t cnt = m->n - i < batch ? m->n - i : batch;
		long r = batch_call(cmd, m->fd, NULL, NULL, m->keys + (size_t)i * m->ks,
				    m->vals + (size_t)i * m->stride, &cnt);

		if (r)
			return r;
	}
	return m->n;
}

enum { UPDATE, LOOKUP, LOOKUP_AND_DELETE, DELETE };
static const char *const names[] = { "update", "lookup", "lookup_and_delete", "delete" };

/* One timed operation from the state it needs (filled or empty, untimed). */
static double one(const struct bench_map *m, struct bench_bufs *b, int op, uint32_t batch,
		  syscall_fn fn)
{
	uint64_t t0;
	long got;

	entry = fn;
	if (op != UPDATE && writes(m, m->n, BPF_MAP_UPDATE_BATCH) != m->n)
		bench_die("fill", EIO);
	t0 = bench_now_ns();
	switch (op) {
	case UPDATE:
		got = writes(m, batch, BPF_MAP_UPDATE_BATCH);
		break;
	case LOOKUP:
		got = walk(m, b, batch, BPF_MAP_LOOKUP_BATCH);
		break;
	case LOOKUP_AND_DELETE:
		got = walk(m, b, batch, BPF_MAP_LOOKUP_AND_DELETE_BATCH);
		break;
	default:
		got = writes(m, batch, BPF_MAP_DELETE_BATCH);
		break;
	}
	t0 = bench_now_ns() - t0;
	if (got != m->n)
		bench_die(names[op], got < 0 ? got : EIO);
	/* Leave it empty for the next one. */
	if ((op == UPDATE || op == LOOKUP) && writes(m, m->n, BPF_MAP_DELETE_BATCH) != m->n)
		bench_die("clear", EIO);
	return (double)t0 / 1e6;
}

int bench_mode_alt(const struct bench_opts *o)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	syscall_fn direct = h ? (syscall_fn)dlsym(h, "syscall") : NULL, shim = syscall;
	const uint32_t batches[] = { 10, 1000, o->n };
	double *d = calloc(o->reps, sizeof(double)), *s = calloc(o->reps, sizeof(double));
	double *r = calloc(o->reps, sizeof(double));
	struct bench_map m;
	struct bench_bufs b;

	if (!direct || !d || !s || !r)
		bench_die("alt setup", ENOMEM);
	if (bench_map_new(&m, BPF_MAP_TYPE_HASH, o->n, o->ks, o->vs, true) ||
	    bench_bufs_new(&b, &m, o->n))
		bench_die("map", ENOMEM);
	printf("alt interposed=%s\n", direct == shim ? "no" : "yes");
	for (int op = UPDATE; op <= DELETE; op++)
		for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
			for (uint32_t rep = 0; rep < o->reps; rep++) {
				if (rep % 2) {
					s[rep] = one(&m, &b, op, batches[i], shim);
					d[rep] = one(&m, &b, op, batches[i], direct);
				} else {
					d[rep] = one(&m, &b, op, batches[i], direct);
					s[rep] = one(&m, &b, op, batches[i], shim);
				}
				r[rep] = s[rep] / d[rep];
			}
			printf("alt type=hash op=%s batch=%u n=%u reps=%u direct_ms=%.1f "
			       "shim_ms=%.1f ratio=%.3f\n",
			       names[op], batches[i], o->n, o->reps, bench_median(d, o->reps),
			       bench_median(s, o->reps), bench_median(r, o->reps));
		}
	free(d);
	free(s);
	free(r);
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}
