/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The "basic" and "efault" modes: one process's batch calls on a hash and an
 * array map, valid and invalid, and the same with unreadable and unwritable
 * buffers; walks are printed as digests that do not depend on how the kernel
 * chunks hash buckets.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform/uapi.h" /* the batch attr layout, shared with the shim */

#include "client_modes.h"
#include "client_util.h"

static const char *tname(uint32_t type)
{
	return type == BB_MAP_TYPE_HASH ? "hash" : "array";
}

static uint32_t key_of(uint32_t type, uint32_t i)
{
	return type == BB_MAP_TYPE_HASH ? i * 3 + 1 : i;
}

long basic_fill(uint32_t type, int fd, uint32_t n, uint32_t *count)
{
	uint32_t keys[256];
	uint64_t vals[256];

	for (uint32_t i = 0; i < n; i++) {
		keys[i] = key_of(type, i);
		vals[i] = (uint64_t)keys[i] * 100 + 7;
	}
	*count = n;
	return batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, count, 0, 0);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Walk the whole map with @cmd in batches of @bs; print a digest of what came
 * back (sorted, so bucket chunking does not show) and how the walk ended. */
void basic_walk(uint32_t type, int fd, int cmd, const uint32_t bs0, const char *tag)
{
	uint32_t bs = bs0;
	uint32_t keys[512], tok = 0, n = 0, count, dups = 0, calls = 0, bad = 0;
	uint64_t vals[512], sum = 0;
	long r;

	for (;;) {
		count = bs;
		r = batch(cmd, fd, calls ? &tok : NULL, &tok, keys + n, vals + n, &count, 0, 0);
		calls++;
		if (type == BB_MAP_TYPE_ARRAY)
			printf("%s %s call %u: r=%ld count=%u\n", tname(type), tag, calls, r, count);
		/* A native hash bucket larger than the batch: grow, retry from
		 * the same token, as clients do (the emulation never asks). */
		if (r == -ENOSPC && bs < 64) {
			bs *= 2;
			continue;
		}
		if (r && r != -ENOENT)
			break;
		for (uint32_t i = n; i < n + count; i++)
			if (vals[i] != (uint64_t)keys[i] * 100 + 7 && vals[i] != 0)
				bad++;
		n += count;
		if (r == -ENOENT || n + bs > 512 || calls > 200)
			break;
	}
	qsort(keys, n, sizeof(keys[0]), cmp_u32);
	for (uint32_t i = 0; i < n; i++) {
		sum = sum * 31 + keys[i];
		if (i && keys[i] == keys[i - 1])
			dups++;
	}
	printf("%s %s batch %u: end r=%ld total=%u dups=%u badvals=%u digest=%llu\n", tname(type),
	       tag, bs0, r, n, dups, bad, (unsigned long long)sum);
}

void basic(uint32_t type)
{
	const char *t = tname(type);
	uint32_t count, keys[8] = { 0 }, tok = 0;
	uint64_t vals[8] = { 0 };
	int fd = map_create(type, 64);
	long r;

	r = basic_fill(type, fd, 40, &count);
	printf("%s update: r=%ld count=%u\n", t, r, count);
	basic_walk(type, fd, BB_MAP_LOOKUP_BATCH, 7, "lookup");
	basic_walk(type, fd, BB_MAP_LOOKUP_BATCH, 64, "lookup");
	basic_walk(type, fd, BB_MAP_LOOKUP_BATCH, 65, "lookup");

	count = 5;
	r = batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &count, 1 /* NOEXIST */, 0);
	printf("%s update NOEXIST: r=%ld count=%u\n", t, r, count);
	count = 0;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, NULL, NULL, &count, 0, 0);
	printf("%s lookup count 0: r=%ld count=%u\n", t, r, count);
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, keys, vals, &count, 0, 1);
	printf("%s lookup flags 1: r=%ld count=%u\n", t, r, count);
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, -1, NULL, &tok, keys, vals, &count, 0, 0);
	printf("%s lookup bad fd: r=%ld count=%u\n", t, r, count);
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, 1, NULL, &tok, keys, vals, &count, 0, 0);
	printf("%s lookup non-map fd: r=%ld count=%u\n", t, r, count);

	keys[0] = key_of(type, 0);
	keys[1] = key_of(type, 1);
	keys[2] = key_of(type, 2);
	count = 3;
	r = batch(BB_MAP_DELETE_BATCH, fd, NULL, NULL, keys, NULL, &count, 0, 0);
	printf("%s delete: r=%ld count=%u\n", t, r, count);
	keys[0] = key_of(type, 3);
	keys[1] = 999999;
	keys[2] = key_of(type, 4);
	count = 3;
	r = batch(BB_MAP_DELETE_BATCH, fd, NULL, NULL, keys, NULL, &count, 0, 0);
	printf("%s delete missing: r=%ld count=%u\n", t, r, count);
	basic_walk(type, fd, BB_MAP_LOOKUP_BATCH, 10, "after-delete");

	basic_walk(type, fd, BB_MAP_LOOKUP_AND_DELETE_BATCH, 5, "lookup-and-delete");
	basic_walk(type, fd, BB_MAP_LOOKUP_BATCH, 5, "after-lookup-and-delete");
	close(fd);
}

static void efault(uint32_t type)
{
	const char *t = tname(type);
	uint32_t keys[16], count, tok = 0, *gk;
	uint64_t vals[16], *gv, v;
	void *bad = (void *)8;
	int fd = map_create(type, 64);
	struct bb_batch_attr *ra;
	long r;

	for (uint32_t i = 0; i < 16; i++) {
		keys[i] = key_of(type, i + 20);
		vals[i] = i;
	}
	count = 5;
	r = batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, bad, vals, &count, 0, 0);
	printf("%s update bad keys: r=%ld count=%u\n", t, r, count);

	gv = guarded(3 * sizeof(uint64_t));
	gv[0] = 11, gv[1] = 12, gv[2] = 13;
	count = 6;
	r = batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, gv, &count, 0, 0);
	printf("%s update values fault at 3: r=%ld count=%u\n", t, r, count);
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t la[4] = { (uint32_t)fd, p2u(&keys[i]), p2u(&v), 0 };

		v = 0;
		r = sys_bpf(BB_MAP_LOOKUP_ELEM, la, sizeof(la));
		printf("%s   element %u: r=%ld value=%llu\n", t, i, r, (unsigned long long)v);
	}

	gk = guarded(2 * sizeof(uint32_t));
	gk[0] = keys[0], gk[1] = keys[1];
	count = 4;
	r = batch(BB_MAP_DELETE_BATCH, fd, NULL, NULL, gk, NULL, &count, 0, 0);
	printf("%s delete keys fault at 2: r=%ld count=%u\n", t, r, count);

	basic_fill(type, fd, 10, &count);
	count = 3;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, bad, vals, &count, 0, 0);
	printf("%s lookup bad keys: r=%ld count=%u\n", t, r, count);
	count = 3;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, keys, guarded(0), &count, 0, 0);
	printf("%s lookup bad values: r=%ld count=%u\n", t, r, count);
	count = 3;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, bad, &tok, keys, vals, &count, 0, 0);
	printf("%s lookup bad in_batch: r=%ld count=%u\n", t, r, count);
	count = 3;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, bad, keys, vals, &count, 0, 0);
	printf("%s lookup bad out_batch: r=%ld count=%u\n", t, r, count);
	count = 0;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, bad, bad, bad, bad, &count, 0, 0);
	printf("%s lookup count 0, all bad: r=%ld count=%u\n", t, r, count);
	/* What a failed lookup left in keys/values is unspecified (the
	 * kernel leaves partial copies, the supervisor need not): reset. */
	for (uint32_t i = 0; i < 16; i++) {
		keys[i] = key_of(type, i + 20);
		vals[i] = i;
	}
	count = 2;
	r = batch(BB_MAP_UPDATE_BATCH, fd, bad, bad, keys, vals, &count, 0, 0);
	printf("%s update ignores tokens: r=%ld count=%u\n", t, r, count);

	r = sys_bpf(BB_MAP_LOOKUP_BATCH, bad, sizeof(struct bb_batch_attr));
	printf("%s attr bad: r=%ld\n", t, r);
	ra = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*ra = (struct bb_batch_attr){ .keys = p2u(keys), .values = p2u(vals), .count = 2,
				   .map_fd = (uint32_t)fd };
	mprotect(ra, 4096, PROT_READ);
	r = sys_bpf(BB_MAP_UPDATE_BATCH, ra, sizeof(*ra));
	printf("%s attr read-only: r=%ld count=%u\n", t, r, ra->count);
	/* Lookups too: the kernel zeroes count before it writes anything
	 * else, so nothing is returned, written or deleted. */
	for (int cmd = BB_MAP_LOOKUP_BATCH; cmd <= BB_MAP_LOOKUP_AND_DELETE_BATCH; cmd++) {
		mprotect(ra, 4096, PROT_READ | PROT_WRITE);
		tok = 77;
		*ra = (struct bb_batch_attr){ .out_batch = p2u(&tok), .keys = p2u(keys),
					   .values = p2u(vals), .count = 2,
					   .map_fd = (uint32_t)fd };
		mprotect(ra, 4096, PROT_READ);
		r = sys_bpf(cmd, ra, sizeof(*ra));
		printf("%s %s attr read-only: r=%ld count=%u token=%u\n", t,
		       cmd == BB_MAP_LOOKUP_BATCH ? "lookup" : "lookup_and_delete", r, ra->count,
		       tok);
	}
	{
		unsigned char big[4200];
		struct bb_batch_attr a = { .keys = p2u(keys), .values = p2u(vals), .count = 1,
					.map_fd = (uint32_t)fd };

		memset(big, 0, sizeof(big));
		memcpy(big, &a, sizeof(a));
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 4097);
		printf("%s attr size 4097: r=%ld\n", t, r);
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 4096);
		printf("%s attr size 4096 zero tail: r=%ld\n", t, r);
		big[60] = 1;
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 64);
		printf("%s attr byte 60 set: r=%ld\n", t, r);
		big[60] = 0;
		big[3000] = 1;
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 4096);
		printf("%s attr byte 3000 set: r=%ld\n", t, r);
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 20);
		printf("%s attr size 20: r=%ld\n", t, r);
	}
	basic_walk(type, fd, BB_MAP_LOOKUP_BATCH, 8, "alive");
	close(fd);
}

void basic_both(int argc, char **argv)
{
	basic(BB_MAP_TYPE_HASH);
	basic(BB_MAP_TYPE_ARRAY);
}

void efault_both(int argc, char **argv)
{
	efault(BB_MAP_TYPE_HASH);
	efault(BB_MAP_TYPE_ARRAY);
}

