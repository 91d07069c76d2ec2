/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A call that fails to write its results (EFAULT on keys, values or
 * out_batch) must change nothing a token means, and must not delete what it
 * could not hand back where the caller can retry:
 *
 *   retry      walks (LOOKUP_BATCH) in which every call is first made with
 *              one unwritable buffer, then repeated from the same token:
 *              every key exactly once (natively too: the kernel's tokens
 *              are values)
 *   drain      the same with LOOKUP_AND_DELETE_BATCH: nothing lost where
 *              the emulation serves it (the kernel loses what it deleted)
 *   writeback  lookup-and-delete with buffers writable only in part: what
 *              is answered and what is deleted, to compare between the
 *              preloaded shim and the supervisor
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/uapi.h"

#include "client_modes.h"
#include "client_util.h"

#define RETRY_N 1000
#define RETRY_BS 64
#define SMALL_N 10
#define PAGE 4096

struct kind {
	const char *name;
	uint32_t type, ks, vs, flags;
};

static const struct kind kinds[] = {
	{ "hash", BB_MAP_TYPE_HASH, 4, 8, 0 },          /* 4-byte token naming a walk */
	{ "lpm_trie", BB_MAP_TYPE_LPM_TRIE, 8, 8, 1 },  /* BPF_F_NO_PREALLOC; token = key */
	{ "devmap", BB_MAP_TYPE_DEVMAP, 4, 4, 0 },      /* array-like: token = index */
};

static uint32_t tok_size(const struct kind *k)
{
	return k->type == BB_MAP_TYPE_HASH ? 4 : k->ks;
}

/* Key of element @i: a sparse u32, a /32 prefix, or the index (devmap). */
static void make_key(const struct kind *k, uint32_t i, unsigned char *key)
{
	uint32_t v = k->type == BB_MAP_TYPE_DEVMAP ? i : i * 7 + 1, plen = 32;

	if (k->ks == 8) {
		memcpy(key, &plen, 4);
		memcpy(key + 4, &v, 4);
	} else {
		memcpy(key, &v, 4);
	}
}

static uint32_t key_index(const struct kind *k, const unsigned char *key)
{
	uint32_t v;

	memcpy(&v, key + k->ks - 4, 4);
	return k->type == BB_MAP_TYPE_DEVMAP ? v : (v - 1) / 7;
}

/* Value of element @i (devmap: ifindex 1, the loopback device). */
static uint64_t value_of(const struct kind *k, uint32_t i)
{
	return k->type == BB_MAP_TYPE_DEVMAP ? 1 : (uint64_t)i * 3 + 1;
}

static int create(const struct kind *k, uint32_t max)
{
	uint32_t a[16] = { k->type, k->ks, k->vs, max, k->flags };
	long fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a));

	if (fd < 0) {
		printf("%s: map_create failed: %ld\n", k->name, fd);
		exit(1);
	}
	return (int)fd;
}

/* Elements 0..n-1, one UPDATE_ELEM each (not what is under test). */
static void fill(const struct kind *k, int fd, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		unsigned char key[8];
		uint64_t v = value_of(k, i);
		uint64_t a[4] = { (uint32_t)fd, p2u(key), p2u(&v), 0 };

		make_key(k, i, key);
		if (sys_bpf(BB_MAP_UPDATE_ELEM, a, sizeof(a))) {
			printf("%s: fill failed at %u\n", k->name, i);
			exit(1);
		}
	}
}

/* A whole page the kernel may read but not write. */
static void *ro_page(void)
{
	return write_guarded(0);
}

static void walk_retry(const struct kind *k, int cmd, const char *tag)
{
	unsigned char *keys = calloc(RETRY_N + RETRY_BS, k->ks), in[8], out[8];
	unsigned char *vals = calloc(RETRY_N + RETRY_BS, k->vs), *seen = calloc(RETRY_N, 1);
	void *ro_keys = ro_page(), *ro_vals = ro_page(), *ro_tok = ro_page();
	uint32_t got = 0, calls = 0, other = 0, dups = 0, missing = 0, badvals = 0;
	int fd = create(k, RETRY_N);
	bool first = true;
	long r;

	fill(k, fd, RETRY_N);
	for (;;) {
		int bad = (int)(calls % 4); /* keys, values, out_batch, none */
		unsigned char *kp = keys + (size_t)got * k->ks, *vp = vals + (size_t)got * k->vs;
		uint32_t count;

		if (bad < 3) {
			count = RETRY_BS;
			r = batch(cmd, fd, first ? NULL : in, bad == 2 ? ro_tok : out,
				  bad == 0 ? ro_keys : kp, bad == 1 ? ro_vals : vp, &count, 0, 0);
			if (r != -EFAULT) /* count: 0, or n where only the token faulted */
				other++;
		}
		count = RETRY_BS;
		r = batch(cmd, fd, first ? NULL : in, out, kp, vp, &count, 0, 0);
		calls++;
		if (r && r != -ENOENT)
			break;
		got += count;
		if (r == -ENOENT || got > RETRY_N || calls > 4 * RETRY_N / RETRY_BS)
			break;
		memcpy(in, out, tok_size(k));
		first = false;
	}
	for (uint32_t i = 0; i < got && i < RETRY_N + RETRY_BS; i++) {
		uint32_t x = key_index(k, keys + (size_t)i * k->ks);
		uint64_t v = 0;

		memcpy(&v, vals + (size_t)i * k->vs, k->vs);
		if (x >= RETRY_N || v != value_of(k, x)) {
			badvals++;
			continue;
		}
		if (seen[x]++)
			dups++;
	}
	for (uint32_t i = 0; i < RETRY_N; i++)
		missing += !seen[i];
	printf("%s %s retry: failed-calls-not-efault=%u returned=%u dups=%u missing=%u "
	       "badvals=%u left=%u end=%ld\n", k->name, tag, other, got, dups, missing, badvals,
	       map_size(fd, k->ks), r);
	free(keys);
	free(vals);
	free(seen);
}

void retry_modes(void)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		walk_retry(&kinds[i], BB_MAP_LOOKUP_BATCH, "lookup");
}

void drain_modes(void)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		walk_retry(&kinds[i], BB_MAP_LOOKUP_AND_DELETE_BATCH, "lookup_and_delete");
}

/* One lookup-and-delete of a SMALL_N-element map from its start. */
static void one_drain(const struct kind *k, const char *what, void *keys, void *vals, void *out)
{
	int fd = create(k, SMALL_N);
	uint32_t count = SMALL_N;
	long r;

	fill(k, fd, SMALL_N);
	r = batch(BB_MAP_LOOKUP_AND_DELETE_BATCH, fd, NULL, out, keys, vals, &count, 0, 0);
	printf("%s lookup_and_delete %s: r=%ld count=%u deleted=%u\n", k->name, what, r, count,
	       SMALL_N - map_size(fd, k->ks));
}

void writeback_modes(void)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct kind *k = &kinds[i];
		unsigned char keys[SMALL_N * 8], vals[SMALL_N * 8], out[8];

		one_drain(k, "keys read-only", ro_page(), vals, out);
		one_drain(k, "keys writable for 2", write_guarded(2 * k->ks), vals, out);
		one_drain(k, "keys unmapped after 3", guarded(3 * k->ks), vals, out);
		one_drain(k, "values read-only", keys, ro_page(), out);
		one_drain(k, "values writable for 3", keys, write_guarded(3 * k->vs), out);
		one_drain(k, "out_batch read-only", keys, vals, ro_page());
		one_drain(k, "out_batch writable for 2", keys, vals, write_guarded(2));
		one_drain(k, "all writable", keys, vals, out);
	}
}
