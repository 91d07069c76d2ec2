/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The measured operations. Every one goes through libbpf, as a real client
 * would, so under LD_PRELOAD every call passes the interposer.
 *
 * Results land in the caller's buffers the way a client collects them:
 * batches at the start of the buffers, loops at slot (position % cap), so a
 * batch and a loop with the same cap touch the same memory.
 */
#include "bench.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOKEN_MAX 64 /* bytes: 4 for the hash family, key_size for the others */
#define ENOTSUPP_ 524 /* kernel-internal ENOTSUPP, seen by user space */

int bench_die(const char *what, long r)
{
	fprintf(stderr, "bpfbatch-bench: %s: %s\n", what, strerror((int)(r < 0 ? -r : r)));
	exit(1);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_make_key(const struct bench_map *m, void *key, uint32_t i)
{
	unsigned char *k = key;

	memset(k, 0, m->ks);
	if (m->ks >= 8) {
		/* Not the index alone, so wide keys are not mostly zero. */
		uint32_t salt = i * 2654435761U;

		memcpy(k + 4, &salt, sizeof(salt));
	}
	memcpy(k, &i, sizeof(i) < m->ks ? sizeof(i) : m->ks);
}

void bench_make_val(const struct bench_map *m, void *val, uint32_t i)
{
	memset(val, 0, m->stride);
	memcpy(val, &i, sizeof(i) < m->vs ? sizeof(i) : m->vs);
}

int bench_map_new(struct bench_map *m, uint32_t type, uint32_t n, uint32_t ks, uint32_t vs,
		  bool gen)
{
	bool percpu = type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY;
	int ncpu = percpu ? libbpf_num_possible_cpus() : 1;

	memset(m, 0, sizeof(*m));
	if (ncpu <= 0 || ks > TOKEN_MAX || ks < 4)
		return -EINVAL;
	m->type = type;
	m->n = n;
	m->ks = ks;
	m->vs = vs;
	m->stride = percpu ? ((vs + 7) & ~7U) * (uint32_t)ncpu : vs;
	m->hash = type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH;
	m->fd = bpf_map_create(type, "bench", ks, vs, n, NULL);
	if (m->fd < 0)
		return m->fd;
	if (!gen)
		return 0;
	m->keys = malloc((size_t)n * ks);
	m->vals = malloc((size_t)n * m->stride);
	if (!m->keys || !m->vals) {
		bench_map_free(m);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		bench_make_key(m, m->keys + (size_t)i * ks, i);
		bench_make_val(m, m->vals + (size_t)i * m->stride, i);
	}
	return 0;
}

void bench_map_free(struct bench_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* One UPDATE_ELEM per element, or one batch where the keys were generated
 * (a single call natively, the same loop when emulated). */
int bench_fill(const struct bench_map *m)
{
	unsigned char key[TOKEN_MAX];
	char *val;
	int r = 0;

	if (m->keys) {
		long n = bench_update_batch(m, NULL, m->n);

		return n < 0 ? (int)n : 0;
	}
	val = malloc(m->stride);
	if (!val)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->n && !r; i++) {
		bench_make_key(m, key, i);
		bench_make_val(m, val, i);
		r = bpf_map_update_elem(m->fd, key, val, BPF_ANY);
	}
	free(val);
	return r;
}

/* Arrays cannot be emptied and are left as they are. */
int bench_clear(const struct bench_map *m)
{
	unsigned char k[2][TOKEN_MAX];
	int cur = 0, r;

	if (!m->hash)
		return 0;
	if (m->keys) {
		long n = bench_delete_batch(m, NULL, m->n);

		return n < 0 ? (int)n : 0;
	}
	r = bpf_map_get_next_key(m->fd, NULL, k[cur]);
	while (r == 0) {
		int gr = bpf_map_get_next_key(m->fd, k[cur], k[!cur]);

		r = bpf_map_delete_elem(m->fd, k[cur]);
		if (r)
			return r;
		if (gr)
			return gr == -ENOENT ? 0 : gr;
		cur = !cur;
	}
	return r == -ENOENT ? 0 : r;
}

int bench_bufs_new(struct bench_bufs *b, const struct bench_map *m, uint32_t cap)
{
	b->cap = cap < 2 ? 2 : cap;
	b->keys = calloc(b->cap, m->ks);
	b->vals = calloc(b->cap, m->stride);
	if (!b->keys || !b->vals) {
		bench_bufs_free(b);
		return -ENOMEM;
	}
	return 0;
}

void bench_bufs_free(struct bench_bufs *b)
{
	free(b->keys);
	free(b->vals);
	b->keys = b->vals = NULL;
}

static char *kslot(const struct bench_map *m, const struct bench_bufs *b, uint64_t pos)
{
	return b->keys + (size_t)(pos % b->cap) * m->ks;
}

static char *vslot(const struct bench_map *m, const struct bench_bufs *b, uint64_t pos)
{
	return b->vals + (size_t)(pos % b->cap) * m->stride;
}

/* The client loop of the batch API: tokens chained, ENOENT ends with a valid
 * count. ENOSPC (a hash bucket larger than the batch, native only) is retried
 * once with the rest of the buffer, as a client would grow its buffer.
 * @keep: each batch lands after the last in the buffers (every element
 * kept, as bcc's items_lookup_batch() does), instead of over it. */
static long lookup_batches(const struct bench_map *m, struct bench_bufs *b, uint32_t batch,
			   bool del, bool keep)
{
	_Alignas(8) unsigned char in[TOKEN_MAX], out[TOKEN_MAX];
	void *inp = NULL;
	long total = 0;

	if (batch > b->cap)
		batch = b->cap;
	for (;;) {
		size_t at = keep ? (size_t)total : 0;
		__u32 room = b->cap - (uint32_t)at, cnt = batch < room ? batch : room;
		char *k = b->keys + at * m->ks, *v = b->vals + at * m->stride;
		int r;

		if (!cnt)
			return total; /* kept a buffer's worth */
		r = del ? bpf_map_lookup_and_delete_batch(m->fd, inp, out, k, v, &cnt, NULL)
			: bpf_map_lookup_batch(m->fd, inp, out, k, v, &cnt, NULL);
		if (r == -ENOSPC && batch < room) {
			cnt = room;
			r = del ? bpf_map_lookup_and_delete_batch(m->fd, inp, out, k, v, &cnt, NULL)
				: bpf_map_lookup_batch(m->fd, inp, out, k, v, &cnt, NULL);
		}
		if (r && r != -ENOENT)
			return r;
		total += cnt;
		if (r == -ENOENT)
			return total;
		memcpy(in, out, sizeof(in));
		inp = in;
	}
}

long bench_lookup_batch(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	return lookup_batches(m, b, batch, false, false);
}

long bench_lookup_batch_keep(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	return lookup_batches(m, b, batch, false, true);
}

long bench_lookup_and_delete_batch(const struct bench_map *m, struct bench_bufs *b,
				   uint32_t batch)
{
	return lookup_batches(m, b, batch, true, false);
}

long bench_update_batch(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	(void)b;
	for (uint32_t i = 0; i < m->n;) {
		__u32 cnt = m->n - i < batch ? m->n - i : batch;
		int r = bpf_map_update_batch(m->fd, m->keys + (size_t)i * m->ks,
					     m->vals + (size_t)i * m->stride, &cnt, NULL);

		if (r)
			return r;
		i += cnt;
	}
	return m->n;
}

long bench_delete_batch(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	(void)b;
	for (uint32_t i = 0; i < m->n;) {
		__u32 cnt = m->n - i < batch ? m->n - i : batch;
		int r = bpf_map_delete_batch(m->fd, m->keys + (size_t)i * m->ks, &cnt, NULL);

		if (r)
			return r;
		i += cnt;
	}
	return m->n;
}

/* get_next_key(prev -> next) + lookup(next): 2 syscalls per element. */
long bench_lookup_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	uint64_t pos = 0;
	long n = 0;
	int r = bpf_map_get_next_key(m->fd, NULL, kslot(m, b, 0));

	(void)batch;
	while (r == 0) {
		if (bpf_map_lookup_elem(m->fd, kslot(m, b, pos), vslot(m, b, pos)) == 0)
			n++;
		r = bpf_map_get_next_key(m->fd, kslot(m, b, pos), kslot(m, b, pos + 1));
		pos++;
	}
	return r == -ENOENT ? n : r;
}

/* Arrays: the keys are the indices, 1 syscall per element. */
long bench_array_lookup_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	(void)batch;
	for (uint32_t i = 0; i < m->n; i++) {
		uint32_t *k = (uint32_t *)(void *)kslot(m, b, i);
		int r;

		*k = i;
		r = bpf_map_lookup_elem(m->fd, k, vslot(m, b, i));
		if (r)
			return r;
	}
	return m->n;
}

/* LOOKUP + DELETE: the non-atomic pair a client uses without
 * LOOKUP_AND_DELETE_ELEM. */
static int take_one(int fd, const void *key, void *val)
{
	int r = bpf_map_lookup_elem(fd, key, val);

	return r ? r : bpf_map_delete_elem(fd, key);
}

/* One behind: the successor is fetched before the element goes, so the walk
 * never restarts. @lad: LOOKUP_AND_DELETE_ELEM (2 syscalls per element;
 * LOOKUP + DELETE, 3, where the kernel lacks it for hash maps), else
 * LOOKUP + DELETE (3), the classic loop; !@lookup: DELETE only. */
static long take_loop(const struct bench_map *m, struct bench_bufs *b, bool lad, bool lookup)
{
	uint64_t pos = 0;
	long n = 0;
	int r = bpf_map_get_next_key(m->fd, NULL, kslot(m, b, 0));

	while (r == 0) {
		char *cur = kslot(m, b, pos), *val = vslot(m, b, pos);
		int gr = bpf_map_get_next_key(m->fd, cur, kslot(m, b, pos + 1));
		int er;

		if (lad) {
			er = bpf_map_lookup_and_delete_elem(m->fd, cur, val);
			if (er == -ENOTSUPP_ || er == -EOPNOTSUPP || er == -EINVAL) {
				/* Hash maps have it since 5.14: fall back, as a
				 * client on an older kernel must. */
				lad = false;
				er = take_one(m->fd, cur, val);
			}
		} else if (lookup) {
			er = take_one(m->fd, cur, val);
		} else {
			er = bpf_map_delete_elem(m->fd, cur);
		}
		if (er == 0)
			n++;
		else if (er != -ENOENT)
			return er;
		if (gr)
			return gr == -ENOENT ? n : gr;
		pos++;
	}
	return r == -ENOENT ? n : r;
}

long bench_lookup_delete_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	(void)batch;
	return take_loop(m, b, false, true);
}

long bench_lookup_and_delete_loop(const struct bench_map *m, struct bench_bufs *b,
				  uint32_t batch)
{
	(void)batch;
	return take_loop(m, b, true, true);
}

long bench_delete_walk_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	(void)batch;
	return take_loop(m, b, false, false);
}

/* The floor for DELETE_BATCH: the keys are given, 1 syscall per element. */
long bench_delete_key_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	(void)b;
	(void)batch;
	for (uint32_t i = 0; i < m->n; i++) {
		int r = bpf_map_delete_elem(m->fd, m->keys + (size_t)i * m->ks);

		if (r)
			return r;
	}
	return m->n;
}

long bench_update_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch)
{
	(void)b;
	(void)batch;
	for (uint32_t i = 0; i < m->n; i++) {
		int r = bpf_map_update_elem(m->fd, m->keys + (size_t)i * m->ks,
					    m->vals + (size_t)i * m->stride, BPF_ANY);

		if (r)
			return r;
	}
	return m->n;
}
