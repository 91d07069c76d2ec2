/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The modes that measure the process rather than the map commands:
 * pass-through cost of the interposed syscall() and memory.
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

/* glibc's own syscall(), even when an interposer comes first. */
static syscall_fn libc_syscall(void)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *f = h ? dlsym(h, "syscall") : NULL;

	if (!f)
		bench_die("dlsym(libc, syscall)", ENOENT);
	return (syscall_fn)f;
}

struct pt_ctx {
	union bpf_attr elem;  /* LOOKUP_ELEM on a one-element array */
	union bpf_attr batch; /* LOOKUP_BATCH of a whole small hash */
	__u32 key, val;
	__u64 out_tok;
	char *bkeys, *bvals;
	uint32_t bn;
};

/* @c zeroed, and its LOOKUP_ELEM attr aimed at a new one-element array @am. */
static void pt_ctx_elem(struct pt_ctx *c, struct bench_map *am)
{
	int r = bench_map_new(am, BPF_MAP_TYPE_ARRAY, 1, 4, 4, false);

	if (r)
		bench_die("array", r);
	memset(c, 0, sizeof(*c));
	c->elem.map_fd = (__u32)am->fd;
	c->elem.key = (__u64)(uintptr_t)&c->key;
	c->elem.value = (__u64)(uintptr_t)&c->val;
}

static double time_calls(syscall_fn fn, int what, struct pt_ctx *c, uint32_t iters)
{
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < iters; i++) {
		long r;

		switch (what) {
		case 0:
			r = fn(SYS_getpid);
			break;
		case 1:
			r = fn(__NR_bpf, BPF_MAP_LOOKUP_ELEM, &c->elem, sizeof(c->elem));
			break;
		default:
			c->batch.batch.count = c->bn;
			r = fn(__NR_bpf, BPF_MAP_LOOKUP_BATCH, &c->batch, sizeof(c->batch));
			if (r == -1 && errno == ENOENT && c->batch.batch.count == c->bn)
				r = 0;
			break;
		}
		if (r < 0)
			bench_die("passthrough call", errno);
	}
	return (double)(bench_now_ns() - t0) / iters;
}

/*
 * Direct (glibc) and interposed syscall() alternate block by block; the
 * reported ratio is the median of per-block ratios. Without LD_PRELOAD both
 * are glibc's and the ratio shows the measurement's own noise.
 */
int bench_mode_passthrough(const struct bench_opts *o)
{
	static const char *const names[] = { "getpid", "lookup_elem", "lookup_batch" };
	syscall_fn direct = libc_syscall(), shim = syscall;
	struct bench_map am, hm;
	struct pt_ctx c;
	uint32_t blocks = o->reps < 5 ? 101 : o->reps;
	double *d = calloc(blocks, sizeof(double)), *s = calloc(blocks, sizeof(double)),
	       *q = calloc(blocks, sizeof(double));
	int r;

	if (!d || !s || !q)
		bench_die("samples", ENOMEM);
	pt_ctx_elem(&c, &am);
	c.bn = o->n < 1000000 ? o->n : 1000000; /* --n: entries of the batch map */
	r = bench_map_new(&hm, BPF_MAP_TYPE_HASH, c.bn, 8, 8, true);
	if (r || (r = bench_fill(&hm)))
		bench_die("hash", r);
	c.bkeys = malloc((size_t)c.bn * 8);
	c.bvals = malloc((size_t)c.bn * 8);
	if (!c.bkeys || !c.bvals)
		bench_die("buffers", ENOMEM);
	c.batch.batch.map_fd = (__u32)hm.fd;
	c.batch.batch.out_batch = (__u64)(uintptr_t)&c.out_tok;
	c.batch.batch.keys = (__u64)(uintptr_t)c.bkeys;
	c.batch.batch.values = (__u64)(uintptr_t)c.bvals;

	printf("passthrough interposed=%s\n", direct == shim ? "no" : "yes");
	for (int what = 0; what < 3; what++) {
		/* a batch call is ~1000x a getpid: fewer iterations */
		uint32_t iters = what == 2 ? o->iters / (c.bn / 2 + 1) + 1 : o->iters;

		time_calls(direct, what, &c, iters / 10 + 1); /* warm up */
		time_calls(shim, what, &c, iters / 10 + 1);
		for (uint32_t i = 0; i < blocks; i++) {
			if (i % 2) {
				s[i] = time_calls(shim, what, &c, iters);
				d[i] = time_calls(direct, what, &c, iters);
			} else {
				d[i] = time_calls(direct, what, &c, iters);
				s[i] = time_calls(shim, what, &c, iters);
			}
			q[i] = s[i] / d[i];
		}
		printf("passthrough call=%s n=%u iters=%u blocks=%u direct_ns=%.1f shim_ns=%.1f "
		       "ratio=%.4f\n",
		       names[what], what == 2 ? c.bn : 1, iters, blocks, bench_median(d, blocks),
		       bench_median(s, blocks),
		       bench_median(q, blocks));
	}
	free(c.bkeys);
	free(c.bvals);
	free(d);
	free(s);
	free(q);
	bench_map_free(&am);
	bench_map_free(&hm);
	return 0;
}

/* The calls of one passthrough measurement, by name for callgrind. */
__attribute__((noinline)) double bench_pt_region(syscall_fn fn, int what, struct pt_ctx *c,
						 uint32_t iters);

__attribute__((noinline)) double bench_pt_region(syscall_fn fn, int what, struct pt_ctx *c,
						 uint32_t iters)
{
	return time_calls(fn, what, c, iters);
}

/* --op getpid|lookup_elem --variant direct|shim: one run, for callgrind. */
int bench_mode_ptcount(const struct bench_opts *o)
{
	syscall_fn fn = strcmp(o->variant, "direct") == 0 ? libc_syscall() : syscall;
	int what = strcmp(o->op, "getpid") == 0 ? 0 : 1;
	struct bench_map am;
	struct pt_ctx c;

	pt_ctx_elem(&c, &am);
	bench_pt_region(fn, what, &c, o->iters);
	printf("ptcount op=%s variant=%s iters=%u\n", o->op, o->variant, o->iters);
	bench_map_free(&am);
	return 0;
}

/* VmHWM / VmRSS in kB. */
static long status_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Peak RSS restarts from the current RSS. */
static void reset_hwm(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (!f || fputs("5", f) < 0 || fclose(f))
		bench_die("/proc/self/clear_refs", errno);
}

int bench_mode_mem(const struct bench_opts *o)
{
	struct bench_map m;
	struct bench_bufs b;
	long base, hwm_lookup, hwm_lad;
	int r = bench_map_new(&m, o->type, o->n, o->ks, o->vs, false);

	if (r || (r = bench_bufs_new(&b, &m, o->batch)) || (r = bench_fill(&m)))
		bench_die("setup", r);
	reset_hwm();
	base = status_kb("VmRSS");
	if (bench_lookup_batch(&m, &b, o->batch) != (long)o->n)
		bench_die("lookup walk", EIO);
	hwm_lookup = status_kb("VmHWM") - base;
	reset_hwm();
	base = status_kb("VmRSS");
	if (bench_lookup_and_delete_batch(&m, &b, o->batch) != (long)o->n)
		bench_die("lookup_and_delete walk", EIO);
	hwm_lad = status_kb("VmHWM") - base;
	printf("mem type=%s n=%u ks=%u vs=%u batch=%u rss_kb=%ld lookup_peak_growth_kb=%ld "
	       "lookup_and_delete_peak_growth_kb=%ld\n",
	       o->type_name, o->n, o->ks, o->vs, o->batch, base, hwm_lookup, hwm_lad);
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}

/* Start an iteration (one call, not the last) and walk away from it. */
int bench_mode_abandon(const struct bench_opts *o)
{
	struct bench_map m;
	struct bench_bufs b;
	_Alignas(8) unsigned char tok[64];
	long rss0;
	int r = bench_map_new(&m, o->type, o->n, o->ks, o->vs, false);

	if (r || (r = bench_bufs_new(&b, &m, o->batch)) || (r = bench_fill(&m)))
		bench_die("setup", r);
	rss0 = status_kb("VmRSS");
	for (uint32_t i = 1; i <= o->count; i++) {
		__u32 cnt = o->batch;

		r = bpf_map_lookup_batch(m.fd, NULL, tok, b.keys, b.vals, &cnt, NULL);
		if (r)
			bench_die("lookup_batch (the map must hold more than --batch)", r);
		if (i == 1 || i == 64 || i == 100 || i == 1000 || i == o->count ||
		    (i % 10000) == 0)
			printf("abandon type=%s n=%u ks=%u batch=%u started=%u rss_kb=%ld "
			       "growth_kb=%ld hwm_kb=%ld\n",
			       o->type_name, o->n, o->ks, o->batch, i, status_kb("VmRSS"),
			       status_kb("VmRSS") - rss0, status_kb("VmHWM"));
	}
	bench_bufs_free(&b);
	bench_map_free(&m);
	return 0;
}
