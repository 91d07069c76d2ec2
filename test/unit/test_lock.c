/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * BPF_F_LOCK in elem_flags: maps whose value holds a bpf_spin_lock (BTF
 * built here with libbpf) against the kernel's own batch commands, and
 * EINVAL where the value has none. The emulation runs in-process
 * (BPFBATCH_MODE=emulate), the kernel through libbpf, on the same maps.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <unistd.h>

#include "bpfbatch.h"

#define N 40

struct locked_val {
	__u32 lock; /* struct bpf_spin_lock */
	__u32 v;
};

static struct btf *btf;
static int u32_id, val_id;

/* u32 key; value { struct bpf_spin_lock lock; u32 v; } */
static int btf_fd(void)
{
	int lock_id;

	btf = btf__new_empty();
	cr_assert_not_null(btf);
	u32_id = btf__add_int(btf, "unsigned int", 4, 0);
	lock_id = btf__add_struct(btf, "bpf_spin_lock", 4);
	btf__add_field(btf, "val", u32_id, 0, 0);
	val_id = btf__add_struct(btf, "locked_val", 8);
	btf__add_field(btf, "lock", lock_id, 0, 0);
	btf__add_field(btf, "v", u32_id, 32, 0);
	if (btf__load_into_kernel(btf))
		cr_skip_test("cannot load BTF here: %s", strerror(errno));
	return btf__fd(btf);
}

static int locked_map(enum bpf_map_type type)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .btf_fd = (__u32)btf_fd(),
		    .btf_key_type_id = (__u32)u32_id, .btf_value_type_id = (__u32)val_id);
	int fd = bpf_map_create(type, "locked", 4, sizeof(struct locked_val), N, &o);

	cr_assert_geq(fd, 0, "create: %s", strerror(errno));
	for (__u32 k = 0; k < N; k++) {
		struct locked_val v = { 0, k * 7 };

		cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_F_LOCK), 0);
	}
	return fd;
}

/* Whole-map dump with elem_flags; returns the sum of keys and checks values. */
static void dump(int fd, bool emulated, __u64 elem_flags, unsigned char *seen)
{
	LIBBPF_OPTS(bpf_map_batch_opts, lo, .elem_flags = elem_flags);
	struct bpfbatch_opts eo = { .sz = sizeof(eo), .elem_flags = elem_flags };
	__u32 keys[N], out = 0, in = 0, cnt;
	struct locked_val vals[N];
	bool first = true;
	int r;

	do {
		cnt = N;
		memset(vals, 0xab, sizeof(vals));
		r = emulated ? bpfbatch_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals,
							 &cnt, &eo)
			     : bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &cnt,
						    &lo);
		cr_assert(r == 0 || r == -ENOENT, "lookup (%s): %d", emulated ? "emulated" : "native",
			  r);
		for (__u32 i = 0; i < cnt; i++) {
			cr_assert_eq(vals[i].lock, 0, "the lock word reads as zero");
			cr_assert_eq(vals[i].v, keys[i] * 7);
			seen[keys[i]]++;
		}
		in = out;
		first = false;
	} while (r == 0);
}

static void lookups_agree(enum bpf_map_type type)
{
	unsigned char native[N] = { 0 }, emulated[N] = { 0 };
	int fd = locked_map(type);

	dump(fd, false, BPF_F_LOCK, native);
	dump(fd, true, BPF_F_LOCK, emulated);
	cr_assert_arr_eq(native, emulated, N);
	for (int k = 0; k < N; k++)
		cr_assert_eq(native[k], 1);
	close(fd);
}

Test(lock, hash_lookup_with_f_lock) { lookups_agree(BPF_MAP_TYPE_HASH); }
Test(lock, array_lookup_with_f_lock) { lookups_agree(BPF_MAP_TYPE_ARRAY); }

Test(lock, update_with_f_lock_matches_the_kernel)
{
	LIBBPF_OPTS(bpf_map_batch_opts, lo, .elem_flags = BPF_F_LOCK);
	struct bpfbatch_opts eo = { .sz = sizeof(eo), .elem_flags = BPF_F_LOCK };
	int a = locked_map(BPF_MAP_TYPE_HASH), b = locked_map(BPF_MAP_TYPE_HASH);
	__u32 keys[N], cnt_a = N, cnt_b = N;
	struct locked_val vals[N];

	for (__u32 i = 0; i < N; i++) {
		keys[i] = i;
		vals[i] = (struct locked_val){ .lock = 0xffffffff, .v = i + 1000 };
	}
	cr_assert_eq(bpf_map_update_batch(a, keys, vals, &cnt_a, &lo), 0);
	cr_assert_eq(bpfbatch_map_update_batch(b, keys, vals, &cnt_b, &eo), 0);
	cr_assert_eq(cnt_a, cnt_b);
	for (__u32 k = 0; k < N; k++) {
		struct locked_val va, vb;

		cr_assert_eq(bpf_map_lookup_elem_flags(a, &k, &va, BPF_F_LOCK), 0);
		cr_assert_eq(bpf_map_lookup_elem_flags(b, &k, &vb, BPF_F_LOCK), 0);
		cr_assert_eq(va.v, vb.v);
		cr_assert_eq(va.lock, vb.lock, "the lock word is never written by updates");
	}
	close(a);
	close(b);
}

Test(lock, f_lock_without_a_spin_lock_is_einval_for_every_command)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 8, N, NULL);
	LIBBPF_OPTS(bpf_map_batch_opts, lo, .elem_flags = BPF_F_LOCK);
	struct bpfbatch_opts eo = { .sz = sizeof(eo), .elem_flags = BPF_F_LOCK };
	__u32 keys[4] = { 1, 2, 3, 4 }, out, cn, ce;
	__u64 vals[4] = { 0 };

	cr_assert_geq(fd, 0);
	cn = ce = 4;
	cr_assert_eq(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &cn, &lo), -EINVAL);
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &out, keys, vals, &ce, &eo), -EINVAL);
	cr_assert_eq(cn, ce);
	cn = ce = 4;
	cr_assert_eq(bpf_map_update_batch(fd, keys, vals, &cn, &lo), -EINVAL);
	cr_assert_eq(bpfbatch_map_update_batch(fd, keys, vals, &ce, &eo), -EINVAL);
	cr_assert_eq(cn, ce);
	cn = ce = 4;
	cr_assert_eq(bpf_map_delete_batch(fd, keys, &cn, &lo), -EINVAL);
	cr_assert_eq(bpfbatch_map_delete_batch(fd, keys, &ce, &eo), -EINVAL);
	cr_assert_eq(cn, ce);
	cn = ce = 4;
	cr_assert_eq(bpf_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &cn, &lo), -EINVAL);
	cr_assert_eq(bpfbatch_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &ce, &eo),
		     -EINVAL);
	cr_assert_eq(cn, ce);
	close(fd);
}
