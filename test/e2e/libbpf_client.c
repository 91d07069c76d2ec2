/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A libbpf client of all four batch commands on a HASH and an ARRAY map,
 * checking every result. Exit 0 if all is as on a 6.18 kernel; otherwise
 * prints the first difference and exits 1 ("... failed: <strerror> (errno N)"
 * when a call itself failed).
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HASH_MAX 256
#define HASH_N 200
#define ARRAY_N 100
#define ENOTSUPP 524 /* kernel-internal; leaks to user space for missing ops */

static int fail_op(const char *op, int err)
{
	printf("libbpf_client: %s failed: %s (errno %d)\n", op, strerror(-err), -err);
	return 1;
}

static int fail_check(const char *what, long got, long want)
{
	printf("libbpf_client: %s: got %ld, want %ld\n", what, got, want);
	return 1;
}

static __u64 val_of(__u32 key)
{
	return key * 1000003ull + 11;
}

static int fill(int fd, __u32 n, __u32 chunk)
{
	__u32 keys[HASH_N], cnt, i, done;
	__u64 vals[HASH_N];
	int err;

	for (i = 0; i < n; i++) {
		keys[i] = i;
		vals[i] = val_of(i);
	}
	for (done = 0; done < n; done += cnt) {
		cnt = n - done < chunk ? n - done : chunk;
		err = bpf_map_update_batch(fd, keys + done, vals + done, &cnt, NULL);
		if (err)
			return fail_op("update_batch", err);
		if (cnt != (n - done < chunk ? n - done : chunk))
			return fail_check("update_batch count", cnt, chunk);
	}
	return 0;
}

/*
 * One full iteration with 4-byte tokens. del: use lookup_and_delete_batch;
 * del_between: delete the returned keys before the next call (the pattern
 * that must neither repeat nor skip keys); ordered: keys must come back as
 * 0, 1, 2, ... (arrays).
 */
static int walk(int fd, bool del, bool del_between, bool ordered, __u32 n, __u32 batch)
{
	const char *op = del ? "lookup_and_delete_batch" : "lookup_batch";
	__u32 keys[HASH_N], in_tok = 0, out_tok = 0, cnt, i, total = 0, calls = 0;
	__u64 vals[HASH_N];
	bool seen[HASH_N] = { false };
	void *in = NULL;
	int err;

	do {
		if (++calls > n + 2)
			return fail_check("iteration does not end; calls", calls, n + 2);
		cnt = batch;
		if (del)
			err = bpf_map_lookup_and_delete_batch(fd, in, &out_tok, keys, vals,
							      &cnt, NULL);
		else
			err = bpf_map_lookup_batch(fd, in, &out_tok, keys, vals, &cnt, NULL);
		if (err && err != -ENOENT)
			return fail_op(op, err);
		if (cnt > batch)
			return fail_check("count above request", cnt, batch);
		for (i = 0; i < cnt; i++) {
			if (keys[i] >= n)
				return fail_check("key out of range", keys[i], n);
			if (seen[keys[i]])
				return fail_check("key returned twice", keys[i], -1);
			if (ordered && keys[i] != total + i)
				return fail_check("array key order", keys[i], total + i);
			if (vals[i] != val_of(keys[i]))
				return fail_check("value of key", keys[i], -1);
			seen[keys[i]] = true;
		}
		total += cnt;
		if (del_between && cnt) {
			__u32 dcnt = cnt;

			err = bpf_map_delete_batch(fd, keys, &dcnt, NULL);
			if (err)
				return fail_op("delete_batch (between lookups)", err);
		}
		in_tok = out_tok;
		in = &in_tok;
	} while (err != -ENOENT);
	if (total != n)
		return fail_check(del ? "lookup_and_delete_batch total" : "lookup_batch total",
				  total, n);
	return 0;
}

static int expect_empty(int fd)
{
	__u32 key;
	int err = bpf_map_get_next_key(fd, NULL, &key);

	if (err != -ENOENT)
		return fail_check("map not empty; get_next_key", err, -ENOENT);
	return 0;
}

static int test_hash(void)
{
	__u32 keys[HASH_N], cnt, i, key;
	__u64 val;
	int fd, err, rc = 1;

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "e2e_hash", 4, 8, HASH_MAX, NULL);
	if (fd < 0)
		return fail_op("map_create(hash)", fd);

	if (fill(fd, HASH_N, 64) || walk(fd, false, false, false, HASH_N, 16))
		goto out;
	if (walk(fd, false, true, false, HASH_N, 16) || expect_empty(fd))
		goto out;
	if (fill(fd, HASH_N, 64) || walk(fd, true, false, false, HASH_N, 16) ||
	    expect_empty(fd))
		goto out;

	if (fill(fd, HASH_N, HASH_N))
		goto out;
	for (i = 0; i < HASH_N; i++)
		keys[i] = HASH_N - 1 - i;
	cnt = HASH_N;
	err = bpf_map_delete_batch(fd, keys, &cnt, NULL);
	if (err)
		goto out_op;
	if (cnt != HASH_N) {
		fail_check("delete_batch count", cnt, HASH_N);
		goto out;
	}
	if (expect_empty(fd))
		goto out;

	/* A missing key stops the batch there: ENOENT, count = its index. */
	if (fill(fd, 3, 3))
		goto out;
	keys[0] = 0;
	keys[1] = 99;
	keys[2] = 1;
	cnt = 3;
	err = bpf_map_delete_batch(fd, keys, &cnt, NULL);
	if (err != -ENOENT) {
		fail_check("delete_batch with a missing key: err", err, -ENOENT);
		goto out;
	}
	if (cnt != 1) {
		fail_check("delete_batch with a missing key: count", cnt, 1);
		goto out;
	}
	key = 1;
	err = bpf_map_lookup_elem(fd, &key, &val);
	if (err || val != val_of(1)) {
		fail_check("key after the missing one must stay; lookup", err, 0);
		goto out;
	}
	rc = 0;
	goto out;
out_op:
	fail_op("delete_batch", err);
out:
	close(fd);
	return rc;
}

static int test_array(void)
{
	__u32 keys[4] = { 0, 1, 2, ARRAY_N }, cnt, tok;
	__u64 vals[4] = { 0 };
	int fd, err, rc = 1;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "e2e_array", 4, 8, ARRAY_N, NULL);
	if (fd < 0)
		return fail_op("map_create(array)", fd);
	if (fill(fd, ARRAY_N, 30) || walk(fd, false, false, true, ARRAY_N, 7))
		goto out;

	/* Arrays have no lookup_and_delete/delete: the kernel says 524. */
	cnt = 4;
	err = bpf_map_lookup_and_delete_batch(fd, NULL, &tok, keys, vals, &cnt, NULL);
	if (err != -ENOTSUPP) {
		fail_check("array lookup_and_delete_batch", err, -ENOTSUPP);
		goto out;
	}
	cnt = 1;
	err = bpf_map_delete_batch(fd, keys, &cnt, NULL);
	if (err != -ENOTSUPP) {
		fail_check("array delete_batch", err, -ENOTSUPP);
		goto out;
	}
	/* An index past the end stops the update there with E2BIG. */
	cnt = 4;
	err = bpf_map_update_batch(fd, keys, vals, &cnt, NULL);
	if (err != -E2BIG) {
		fail_check("array update past the end: err", err, -E2BIG);
		goto out;
	}
	if (cnt != 3) {
		fail_check("array update past the end: count", cnt, 3);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

int main(void)
{
	if (test_hash() || test_array())
		return 1;
	printf("libbpf_client: ok\n");
	return 0;
}
