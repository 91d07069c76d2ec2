/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * kernelcheck CASE: one probe of what the (possibly simulated) kernel does,
 * printing "errno N" (0 for success). CASE "mixed" instead dumps a hash map
 * and an LPM trie with libbpf's batch calls and prints "ok" when both come
 * back whole; "five-calls" makes five batch calls and prints their results.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int create(enum bpf_map_type t, unsigned int ks, unsigned int vs, unsigned int flags,
		  int inner)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd;

	if (inner >= 0)
		o.inner_map_fd = (unsigned int)inner;
	fd = bpf_map_create(t, NULL, ks, vs, 64, &o);
	if (fd < 0) {
		printf("create failed: errno %d\n", errno);
		_exit(2);
	}
	return fd;
}

/* A hash whose value { struct bpf_spin_lock lock; u32 v; } (BTF built here)
 * takes BPF_F_LOCK on single-element commands from 5.1; key 1 is present. */
static int locked_hash(void)
{
	struct btf *btf = btf__new_empty();
	int u32_id, lock_id, val_id, fd;
	__u32 key = 1;
	__u64 val = 0;

	if (!btf) {
		printf("btf: errno %d\n", errno);
		_exit(2);
	}
	u32_id = btf__add_int(btf, "unsigned int", 4, 0);
	lock_id = btf__add_struct(btf, "bpf_spin_lock", 4);
	btf__add_field(btf, "val", u32_id, 0, 0);
	val_id = btf__add_struct(btf, "locked_val", 8);
	btf__add_field(btf, "lock", lock_id, 0, 0);
	btf__add_field(btf, "v", u32_id, 32, 0);
	if (btf__load_into_kernel(btf)) {
		printf("btf load failed: errno %d\n", errno);
		_exit(2);
	}
	LIBBPF_OPTS(bpf_map_create_opts, o, .btf_fd = (__u32)btf__fd(btf),
		    .btf_key_type_id = (__u32)u32_id, .btf_value_type_id = (__u32)val_id);
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 8, 64, &o);
	if (fd < 0 || bpf_map_update_elem(fd, &key, &val, BPF_ANY)) {
		printf("create failed: errno %d\n", errno);
		_exit(2);
	}
	return fd;
}

static int result(int r)
{
	printf("errno %d\n", r < 0 ? errno : 0);
	return 0;
}

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

/* Dump with small batches, as a client does (a native hash call answers
 * ENOSPC when a bucket does not fit: grow and retry from the same token);
 * 1 if every key 0..n-1 came back exactly once. */
static int dump(int fd, unsigned int ks, unsigned int n, unsigned int (*key_id)(const void *))
{
	unsigned char keys[64 * 8], seen[64] = { 0 }, in[8], out[8];
	__u64 vals[64];
	__u32 batch = 3;
	void *inp = NULL;
	int r;

	for (;;) {
		__u32 cnt = batch;

		r = bpf_map_lookup_batch(fd, inp, out, keys, vals, &cnt, NULL);
		if (r && errno == ENOSPC && batch < 64) {
			batch *= 2;
			continue;
		}
		if (r && errno != ENOENT) {
			printf("lookup_batch: errno %d\n", errno);
			return 0;
		}
		for (__u32 i = 0; i < cnt; i++)
			seen[key_id(keys + i * ks)]++;
		memcpy(in, out, sizeof(in));
		inp = in;
		if (r)
			break;
	}
	for (unsigned int i = 0; i < n; i++)
		if (seen[i] != 1)
			return 0;
	return 1;
}

static unsigned int hash_id(const void *k)
{
	return *(const __u32 *)k;
}

static unsigned int lpm_id(const void *k)
{
	return ((const struct lpm_key *)k)->addr[1];
}

static int mixed(void)
{
	int h = create(BPF_MAP_TYPE_HASH, 4, 8, 0, -1);
	int t = create(BPF_MAP_TYPE_LPM_TRIE, 8, 8, BPF_F_NO_PREALLOC, -1);

	for (__u32 i = 0; i < 20; i++) {
		struct lpm_key k = { .prefixlen = 24, .addr = { 10, (__u8)i, 0, 0 } };
		__u64 v = i;

		bpf_map_update_elem(h, &i, &v, BPF_ANY);
		bpf_map_update_elem(t, &k, &v, BPF_ANY);
	}
	if (dump(h, 4, 20, hash_id) && dump(t, 8, 20, lpm_id)) {
		printf("ok\n");
		return 0;
	}
	printf("incomplete dump\n");
	return 1;
}

/* Exactly five batch calls, for counting BPFBATCH_LOG lines: three on a
 * hash map (native from 5.6), two on an LPM trie (native from 5.13). */
static int five_calls(void)
{
	int h = create(BPF_MAP_TYPE_HASH, 4, 8, 0, -1);
	int t = create(BPF_MAP_TYPE_LPM_TRIE, 8, 8, BPF_F_NO_PREALLOC, -1);
	struct lpm_key tk[2] = { { 24, { 10, 0, 0, 0 } }, { 24, { 10, 1, 0, 0 } } }, tout[16];
	__u32 hk[4] = { 1, 2, 3, 4 }, hout[16], tok, n;
	__u64 v[16] = { 0 };
	int r[5];

	n = 4;
	r[0] = bpf_map_update_batch(h, hk, v, &n, NULL);
	n = 16;
	r[1] = bpf_map_lookup_batch(h, NULL, &tok, hout, v, &n, NULL);
	n = 4;
	r[2] = bpf_map_delete_batch(h, hk, &n, NULL);
	n = 2;
	r[3] = bpf_map_update_batch(t, tk, v, &n, NULL);
	n = 16;
	r[4] = bpf_map_lookup_batch(t, NULL, tout, tout, v, &n, NULL);
	printf("%d %d %d %d %d\n", r[0], r[1], r[2], r[3], r[4]);
	return 0;
}

/* After exec: a token from before names nothing (the cursors were the old
 * image's), and a fresh walk of the inherited map is whole. */
static int exec_token(int fd, __u32 token)
{
	__u32 keys[64], out, cnt = 64, total = 0;
	__u64 vals[64];
	void *in = NULL;
	int r = bpf_map_lookup_batch(fd, &token, &out, keys, vals, &cnt, NULL);

	printf("old token: errno %d count %u\n", r ? errno : 0, cnt);
	do {
		cnt = 64;
		r = bpf_map_lookup_batch(fd, in, &out, keys, vals, &cnt, NULL);
		total += cnt;
		in = &out;
	} while (!r);
	printf("fresh walk: errno %d total %u\n", errno, total);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	__u32 cnt = 0, key = 1;
	__u64 val;

	if (!strcmp(c, "lpm-batch"))
		return result(bpf_map_lookup_batch(create(BPF_MAP_TYPE_LPM_TRIE, 8, 8,
							  BPF_F_NO_PREALLOC, -1),
						   NULL, &key, &key, &val, &cnt, &bo));
	if (!strcmp(c, "aom-batch"))
		return result(bpf_map_update_batch(create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 0,
							  create(BPF_MAP_TYPE_ARRAY, 4, 4, 0, -1)),
						   &key, &val, &cnt, &bo));
	if (!strcmp(c, "hom-batch"))
		return result(bpf_map_update_batch(create(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 0,
							  create(BPF_MAP_TYPE_ARRAY, 4, 4, 0, -1)),
						   &key, &val, &cnt, &bo));
	if (!strcmp(c, "hash-lookup-and-delete-elem"))
		return result(bpf_map_lookup_and_delete_elem(create(BPF_MAP_TYPE_HASH, 4, 8, 0, -1),
							     &key, &val));
	if (!strcmp(c, "get-next-key-null"))
		return result(bpf_map_get_next_key(create(BPF_MAP_TYPE_HASH, 4, 8, 0, -1), NULL,
						   &key));
	if (!strcmp(c, "lpm-get-next-key"))
		return result(bpf_map_get_next_key(create(BPF_MAP_TYPE_LPM_TRIE, 8, 8,
							  BPF_F_NO_PREALLOC, -1),
						   NULL, &val));
	if (!strcmp(c, "lookup-elem-flags"))
		return result(bpf_map_lookup_elem_flags(create(BPF_MAP_TYPE_HASH, 4, 8, 0, -1),
							&key, &val, BPF_F_LOCK));
	if (!strcmp(c, "lookup-elem-lock"))
		return result(bpf_map_lookup_elem_flags(locked_hash(), &key, &val, BPF_F_LOCK));
	if (!strcmp(c, "update-elem-noexist")) { /* BPF_NOEXIST: known since 3.18 */
		int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 0, -1);

		return result(bpf_map_update_elem(fd, &key, &val, BPF_NOEXIST) ?:
			      bpf_map_update_elem(fd, &key, &val, BPF_EXIST));
	}
	if (!strcmp(c, "update-elem-lock"))
		return result(bpf_map_update_elem(locked_hash(), &key, &val, BPF_F_LOCK));
	if (!strcmp(c, "mixed"))
		return mixed();
	if (!strcmp(c, "five-calls"))
		return five_calls();
	if (!strcmp(c, "exec-token") && argc == 4)
		return exec_token(atoi(argv[2]), (__u32)strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: kernelcheck CASE\n");
	return 2;
}
