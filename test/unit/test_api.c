/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The C API against what include/bpfbatch.h promises, in-process on real
 * maps with the default BPFBATCH_MODE=auto: which map types take which
 * command, how large a token is.
 */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <unistd.h>

#include "bpfbatch.h"

/*
 * Linked with -Wl,--wrap=malloc (meson.build): the allocations of the core
 * built into this binary fail while fail_malloc is set. (Criterion's and
 * libbpf's, in their shared objects, are not affected.)
 */
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
static bool fail_malloc;

void *__wrap_malloc(size_t size)
{
	if (fail_malloc) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(size);
}

#define L (1U << 0)
#define LD (1U << 1)
#define U (1U << 2)
#define D (1U << 3)

static int create(enum bpf_map_type type, unsigned int ks, unsigned int vs, unsigned int max,
		  unsigned int flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int inner = -1, fd;

	if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
		if (inner < 0)
			cr_skip_test("cannot create a BPF map here (need root): %s",
				     strerror(errno));
		o.inner_map_fd = (__u32)inner;
	}
	fd = bpf_map_create(type, NULL, ks, vs, max, &o);
	if (fd < 0 && errno == EPERM)
		cr_skip_test("cannot create a BPF map here (need root): %s", strerror(errno));
	cr_assert_geq(fd, 0, "create type %d: %s", type, strerror(errno));
	if (inner >= 0)
		close(inner);
	return fd;
}

struct type_case {
	const char *name;
	enum bpf_map_type type;
	unsigned int ks, vs, max, flags;
	unsigned int ops; /* the commands the header says the type takes */
};

ParameterizedTestParameters(api, commands_per_map_type)
{
	/* As include/bpfbatch.h lists them (and docs/map-types.md). */
	static struct type_case cases[] = {
		{ "HASH", BPF_MAP_TYPE_HASH, 4, 8, 16, 0, L | LD | U | D },
		{ "PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16, 0, L | LD | U | D },
		{ "LRU_HASH", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16, 0, L | LD | U | D },
		{ "LRU_PERCPU_HASH", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 16, 0, L | LD | U | D },
		{ "HASH_OF_MAPS", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 16, 0, L | LD | U | D },
		{ "ARRAY", BPF_MAP_TYPE_ARRAY, 4, 8, 16, 0, L | U },
		{ "PERCPU_ARRAY", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 16, 0, L | U },
		{ "LPM_TRIE", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPF_F_NO_PREALLOC,
		  L | LD | U | D },
		{ "ARRAY_OF_MAPS", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 16, 0, L | LD | U | D },
		{ "STACK_TRACE", BPF_MAP_TYPE_STACK_TRACE, 4, 64, 16, 0, L | LD | D },
		{ "DEVMAP_HASH", BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 16, 0, L | LD | U | D },
		{ "SOCKHASH", BPF_MAP_TYPE_SOCKHASH, 4, 8, 16, 0, L | LD | U | D },
		{ "CGROUP_STORAGE", BPF_MAP_TYPE_CGROUP_STORAGE, 8, 8, 0, 0, L | U },
		{ "PERCPU_CGROUP_STORAGE", BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, 8, 8, 0, 0,
		  L | U },
		{ "PROG_ARRAY", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 16, 0, L | LD | U | D },
		{ "DEVMAP", BPF_MAP_TYPE_DEVMAP, 4, 4, 16, 0, L | LD | U | D },
		{ "CPUMAP", BPF_MAP_TYPE_CPUMAP, 4, 4, 16, 0, L | LD | U | D },
		{ "SOCKMAP", BPF_MAP_TYPE_SOCKMAP, 4, 8, 16, 0, L | LD | U | D },
		{ "REUSEPORT_SOCKARRAY", BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, 8, 16, 0,
		  L | LD | U | D },
		{ "PERF_EVENT_ARRAY", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 16, 0, U | D },
		{ "CGROUP_ARRAY", BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 16, 0, U | D },
		{ "XSKMAP", BPF_MAP_TYPE_XSKMAP, 4, 4, 16, 0, U | D },
		{ "QUEUE", BPF_MAP_TYPE_QUEUE, 0, 8, 16, 0, 0 },
		{ "STACK", BPF_MAP_TYPE_STACK, 0, 8, 16, 0, 0 },
		{ "BLOOM_FILTER", BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, 0, 0 },
		{ "RINGBUF", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0 },
	};

	return cr_make_param_array(struct type_case, cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * With count 0 a command passes every check (fd, access, the type's support
 * for it, flags) and then does nothing, natively and emulated: 0 where the
 * type takes the command, the kernel's 524 where it does not.
 */
ParameterizedTest(struct type_case *c, api, commands_per_map_type, .timeout = 30)
{
	unsigned char tok[8];
	int fd = create(c->type, c->ks, c->vs, c->max, c->flags);
	int r[4];
	uint32_t n;

	n = 0;
	r[0] = bpfbatch_map_lookup_batch(fd, NULL, tok, NULL, NULL, &n, NULL);
	n = 0;
	r[1] = bpfbatch_map_lookup_and_delete_batch(fd, NULL, tok, NULL, NULL, &n, NULL);
	n = 0;
	r[2] = bpfbatch_map_update_batch(fd, NULL, NULL, &n, NULL);
	n = 0;
	r[3] = bpfbatch_map_delete_batch(fd, NULL, &n, NULL);
	for (int i = 0; i < 4; i++) {
		static const char *const names[] = { "lookup", "lookup_and_delete", "update",
						     "delete" };
		int want = (c->ops & (1U << i)) ? 0 : -BPFBATCH_ENOTSUPP;

		cr_expect_eq(r[i], want, "%s %s: %d, the header says %d", c->name, names[i], r[i],
			     want);
	}
	close(fd);
}

/* The slip this suite was written for: the header once said LPM tries refuse
 * LOOKUP_AND_DELETE; bpfbatch adds it (lookup, then delete). */
Test(api, lpm_trie_lookup_and_delete, .timeout = 30)
{
	struct {
		__u32 prefixlen;
		__u8 addr[4];
	} keys[8], tok, k = { 24, { 10, 0, 0, 0 } };
	__u64 values[8], v = 7;
	int fd = create(BPF_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPF_F_NO_PREALLOC);
	uint32_t n = 8;

	for (__u8 i = 0; i < 3; i++) {
		k.addr[1] = i;
		cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
	cr_assert_eq(bpfbatch_map_lookup_and_delete_batch(fd, NULL, &tok, keys, values, &n, NULL),
		     -ENOENT);
	cr_assert_eq(n, 3);
	for (uint32_t i = 0; i < n; i++)
		cr_assert_eq(values[i], 7);
	cr_assert_lt(bpf_map_get_next_key(fd, NULL, &k), 0, "the trie is empty");
	cr_assert_eq(errno, ENOENT);
	close(fd);
}

/* Types whose keys can vanish get 4-byte tokens even where key_size is 8:
 * the end-of-walk token of an empty map leaves the rest of out_batch alone. */
static void expect_4_byte_token(enum bpf_map_type type, unsigned int vs, unsigned int max)
{
	unsigned char keys[8], values[8], tok[8];
	int fd = create(type, 8, vs, max, 0);
	uint32_t n = 1;

	memset(tok, 0xa5, sizeof(tok));
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, tok, keys, values, &n, NULL), -ENOENT);
	cr_assert_eq(n, 0);
	for (int i = 4; i < 8; i++)
		cr_assert_eq(tok[i], 0xa5, "type %d wrote token byte %d", type, i);
	close(fd);
}

Test(api, token_is_4_bytes_for_maps_whose_keys_can_vanish, .timeout = 30)
{
	expect_4_byte_token(BPF_MAP_TYPE_SOCKHASH, 8, 16);
	expect_4_byte_token(BPF_MAP_TYPE_CGROUP_STORAGE, 8, 0);
}

/* The single-element lookup's ENOSPC for 4-byte socket values comes through. */
Test(api, sockmap_lookup_needs_8_byte_values, .timeout = 30)
{
	unsigned char keys[16 * 4], values[16 * 4], tok[4];
	int fd = create(BPF_MAP_TYPE_SOCKMAP, 4, 4, 16, 0);
	uint32_t n = 16;

	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, tok, keys, values, &n, NULL), -ENOSPC);
	cr_assert_eq(errno, ENOSPC);
	close(fd);
}

/* opts as libbpf's OPTS_VALID takes them: a caller built against a newer,
 * larger struct may pass it if what this library does not know is zero. */
struct newer_opts {
	struct bpfbatch_opts o;
	uint64_t unknown;
};

static int update_one(int fd, uint32_t key, const struct bpfbatch_opts *opts, uint32_t *n)
{
	uint64_t v = 1;

	*n = 1;
	return bpfbatch_map_update_batch(fd, &key, &v, n, opts);
}

/* The call fails with EINVAL before doing anything: nothing is written,
 * count keeps the caller's value. */
static void expect_rejected(int fd, const struct bpfbatch_opts *opts, const char *what)
{
	uint64_t keys[4], values[4], tok = 0;
	uint32_t key = 1, n, in = 0;

	errno = 0;
	cr_assert_eq(update_one(fd, key, opts, &n), -EINVAL, "%s: update", what);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(n, 1);
	cr_assert_lt(bpf_map_lookup_elem(fd, &key, values), 0, "%s: nothing was updated", what);
	n = 4;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &tok, keys, values, &n, opts), -EINVAL,
		     "%s: lookup", what);
	cr_assert_eq(n, 4);
	cr_assert_eq(bpfbatch_map_lookup_and_delete_batch(fd, &in, &tok, keys, values, &n, opts),
		     -EINVAL, "%s: lookup_and_delete", what);
	cr_assert_eq(bpfbatch_map_delete_batch(fd, &key, &n, opts), -EINVAL, "%s: delete", what);
	cr_assert_eq(n, 4);
}

Test(api, opts_with_a_non_zero_unknown_tail_are_einval, .timeout = 30)
{
	struct newer_opts big = { .o.sz = sizeof(big), .unknown = 1 };
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);

	expect_rejected(fd, &big.o, "unknown tail 1");
	big.unknown = 1ULL << 63;
	expect_rejected(fd, &big.o, "unknown tail, last byte");
	close(fd);
}

Test(api, opts_smaller_than_sz_are_einval, .timeout = 30)
{
	struct bpfbatch_opts o = { .sz = 0 };
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);

	expect_rejected(fd, &o, "sz 0");
	o.sz = sizeof(o.sz) - 1;
	expect_rejected(fd, &o, "sz < sizeof(size_t)");
	close(fd);
}

Test(api, opts_a_zero_tail_older_sizes_and_null_are_fine, .timeout = 30)
{
	struct newer_opts big = { .o.sz = sizeof(big) };
	/* Fields past sz are not read: elem_flags 8 would be EINVAL. */
	struct bpfbatch_opts older = { .sz = sizeof(size_t), .elem_flags = 8, .flags = 8 };
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	uint32_t n;

	cr_assert_eq(update_one(fd, 1, &big.o, &n), 0);
	cr_assert_eq(update_one(fd, 2, &older, &n), 0);
	cr_assert_eq(update_one(fd, 3, NULL, &n), 0);
	older.sz = offsetof(struct bpfbatch_opts, flags) + sizeof(older.flags) - 1;
	cr_assert_eq(update_one(fd, 4, &older, &n), -EINVAL, "elem_flags 8 is read");
	close(fd);
}

/* ENOMEM is documented in the header: returned and set in errno, no element
 * returned, and the walk can be retried from the same token. DEVMAP_HASH is
 * emulated on every kernel, so its lookup allocates in this process. */
Test(api, enomem_comes_through_and_the_call_can_be_retried, .timeout = 30)
{
	uint32_t keys[4], values[4], tok = 0xa5a5a5a5, key = 3, lo = 1, n = 4;
	int fd = create(BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 16, 0);
	int r;

	cr_assert_eq(bpf_map_update_elem(fd, &key, &lo, BPF_ANY), 0);
	fail_malloc = true;
	errno = 0;
	r = bpfbatch_map_lookup_batch(fd, NULL, &tok, keys, values, &n, NULL);
	fail_malloc = false;
	cr_assert_eq(r, -ENOMEM);
	cr_assert_eq(errno, ENOMEM);
	cr_assert_eq(n, 0);
	n = 4;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &tok, keys, values, &n, NULL), -ENOENT);
	cr_assert_eq(n, 1);
	cr_assert_eq(keys[0], 3);
	cr_assert_eq(values[0], 1);
	/* A lookup-and-delete that cannot allocate has deleted nothing. */
	n = 4;
	fail_malloc = true;
	r = bpfbatch_map_lookup_and_delete_batch(fd, NULL, &tok, keys, values, &n, NULL);
	fail_malloc = false;
	cr_assert_eq(r, -ENOMEM);
	cr_assert_eq(n, 0);
	cr_assert_eq(bpf_map_lookup_elem(fd, &key, &values[0]), 0, "still there");
	close(fd);
}
