/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-demo: an ordinary libbpf client of the four map batch commands.
 * It knows nothing about bpfbatch: on a kernel without batch commands it
 * fails with EINVAL, with LD_PRELOAD=libbpfbatch.so it works.
 *
 *   bpfbatch-demo [--entries N] [--batch B]
 *
 * Fills a hash map (u32 key, u64 value) with update_batch, dumps it with
 * lookup_batch, removes half with lookup_and_delete_batch and the rest with
 * delete_batch, checking every key and value on the way.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct buf {
	__u32 *keys;
	__u64 *vals;
	__u32 cap;
};

static __u64 value_of(__u32 key)
{
	return (__u64)key * 2654435761u + 7;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* libbpf returns -errno and sets errno; report in one fixed format. */
static int fail(const char *op, int err)
{
	if (err < 0)
		err = -err;
	printf("demo: %s failed: %s (errno %d)\n", op, strerror(err), err);
	return 1;
}

static int bad(const char *op, const char *what, __u32 key)
{
	printf("demo: %s failed: %s (key %u)\n", op, what, key);
	return 1;
}

static int buf_grow(struct buf *b, __u32 cap)
{
	__u32 *k;
	__u64 *v;

	k = realloc(b->keys, (size_t)cap * sizeof(*k));
	if (!k)
		return -ENOMEM;
	b->keys = k;
	v = realloc(b->vals, (size_t)cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	b->vals = v;
	b->cap = cap;
	return 0;
}

/* Check one returned element and mark it seen; a key seen twice or a wrong
 * value is a failure. */
static int check_elem(const char *op, __u32 key, __u64 val, __u32 n, bool *seen)
{
	if (key >= n)
		return bad(op, "unexpected key", key);
	if (val != value_of(key))
		return bad(op, "wrong value", key);
	if (seen[key])
		return bad(op, "key returned twice", key);
	seen[key] = true;
	return 0;
}

static int phase_update(int fd, __u32 n, __u32 batch, struct buf *b)
{
	__u32 done = 0, i, cnt;
	int err;

	while (done < n) {
		cnt = n - done < batch ? n - done : batch;
		for (i = 0; i < cnt; i++) {
			b->keys[i] = done + i;
			b->vals[i] = value_of(done + i);
		}
		err = bpf_map_update_batch(fd, b->keys, b->vals, &cnt, NULL);
		if (err)
			return fail("update_batch", err);
		if (cnt == 0)
			return bad("update_batch", "no progress", done);
		done += cnt;
	}
	return 0;
}

/*
 * Walk the map with lookup_batch or lookup_and_delete_batch until ENOENT or
 * until `limit` elements came back. Tokens are 4 bytes (hash map); in and
 * out are separate so a failed call never clobbers the cursor. ENOSPC (a
 * native hash bucket larger than the request) means: ask for more, growing
 * the buffer if needed, from the same token.
 */
static int phase_walk(int fd, bool del, __u32 n, __u32 batch, __u32 limit,
		      struct buf *b, bool *seen, __u32 *got)
{
	const char *op = del ? "lookup_and_delete_batch" : "lookup_batch";
	__u32 in_tok = 0, out_tok = 0, cnt, i, want, need = 0;
	void *in = NULL;
	int err;

	*got = 0;
	while (*got < limit) {
		want = limit - *got < batch ? limit - *got : batch;
		if (need > want)
			want = need;
		if (want > b->cap && buf_grow(b, want) < 0)
			return fail(op, ENOMEM);
		cnt = want;
		if (del)
			err = bpf_map_lookup_and_delete_batch(fd, in, &out_tok, b->keys,
							      b->vals, &cnt, NULL);
		else
			err = bpf_map_lookup_batch(fd, in, &out_tok, b->keys, b->vals,
						   &cnt, NULL);
		if (err == -ENOSPC) {
			if (want >= n)
				return fail(op, err);
			need = want * 2;
			continue;
		}
		need = 0;
		if (err && err != -ENOENT)
			return fail(op, err);
		if (cnt > want)
			return bad(op, "count grew beyond the request", cnt);
		for (i = 0; i < cnt; i++)
			if (check_elem(op, b->keys[i], b->vals[i], n, seen))
				return 1;
		*got += cnt;
		if (err == -ENOENT)
			break;
		in_tok = out_tok;
		in = &in_tok;
	}
	return 0;
}

static int phase_delete(int fd, __u32 n, __u32 batch, struct buf *b,
			const bool *gone, __u32 *deleted)
{
	__u32 key = 0, cnt, want;
	int err;

	*deleted = 0;
	while (key < n) {
		for (want = 0; want < batch && key < n; key++)
			if (!gone[key])
				b->keys[want++] = key;
		if (!want)
			break;
		cnt = want;
		err = bpf_map_delete_batch(fd, b->keys, &cnt, NULL);
		if (err)
			return fail("delete_batch", err);
		if (cnt != want)
			return bad("delete_batch", "short count", cnt);
		*deleted += cnt;
	}
	return 0;
}

static int check_empty(int fd, struct buf *b)
{
	__u32 out_tok, cnt = b->cap;
	int err;

	err = bpf_map_lookup_batch(fd, NULL, &out_tok, b->keys, b->vals, &cnt, NULL);
	if (err != -ENOENT)
		return err ? fail("lookup_batch (empty map)", err) :
			     bad("lookup_batch", "map not empty", cnt);
	if (cnt != 0)
		return bad("lookup_batch", "map not empty", b->keys[0]);
	return 0;
}

static void report(const char *op, __u32 n, double t0, __u32 batch)
{
	printf("%s: %u entries in %.1f ms (batch %u)\n", op, n, now_ms() - t0, batch);
}

static int parse_u32(const char *s, __u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v == 0 || v > 0xffffffffUL || *s == '-')
		return -1;
	*out = (__u32)v;
	return 0;
}

int main(int argc, char **argv)
{
	__u32 n = 100000, batch = 1000, got, half;
	struct buf b = { 0 };
	bool *seen = NULL, *gone = NULL;
	int fd, i, rc = 1;
	double t0;

	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--entries")) {
			if (parse_u32(argv[++i], &n) < 0)
				goto usage;
		} else if (i + 1 < argc && !strcmp(argv[i], "--batch")) {
			if (parse_u32(argv[++i], &batch) < 0)
				goto usage;
		} else {
			goto usage;
		}
	}

	seen = calloc(n, sizeof(*seen));
	gone = calloc(n, sizeof(*gone));
	if (!seen || !gone || buf_grow(&b, batch) < 0) {
		rc = fail("malloc", ENOMEM);
		goto out;
	}

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bpfbatch_demo", sizeof(__u32),
			    sizeof(__u64), n, NULL);
	if (fd < 0) {
		rc = fail("map_create", fd);
		goto out;
	}

	t0 = now_ms();
	if (phase_update(fd, n, batch, &b))
		goto out_close;
	report("update_batch", n, t0, batch);

	t0 = now_ms();
	if (phase_walk(fd, false, n, batch, n, &b, seen, &got))
		goto out_close;
	if (got != n) {
		printf("demo: lookup_batch failed: %u of %u entries returned\n", got, n);
		goto out_close;
	}
	report("lookup_batch", got, t0, batch);

	half = n / 2;
	t0 = now_ms();
	if (phase_walk(fd, true, n, batch, half, &b, gone, &got))
		goto out_close;
	if (got < half) {
		printf("demo: lookup_and_delete_batch failed: %u of %u entries returned\n",
		       got, half);
		goto out_close;
	}
	report("lookup_and_delete_batch", got, t0, batch);
	half = got;

	t0 = now_ms();
	if (phase_delete(fd, n, batch, &b, gone, &got))
		goto out_close;
	if (got != n - half) {
		printf("demo: delete_batch failed: %u of %u entries deleted\n", got, n - half);
		goto out_close;
	}
	report("delete_batch", got, t0, batch);

	if (check_empty(fd, &b))
		goto out_close;
	printf("demo: ok, map empty\n");
	rc = 0;
out_close:
	close(fd);
out:
	free(b.keys);
	free(b.vals);
	free(seen);
	free(gone);
	return rc;
usage:
	fprintf(stderr, "usage: bpfbatch-demo [--entries N] [--batch B]\n");
	return 2;
}
