/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A sequence's map shape and key universe. Every key the fuzzer ever puts in
 * a map is one of n numbered keys, so a key returned by either side is
 * translated back to its number and both sides' contents are plain arrays
 * indexed by it. Values are named by a 32-bit "value seed" that expands to
 * the same bytes on both sides.
 */
#ifndef BPFBATCH_FUZZ_UNIV_H
#define BPFBATCH_FUZZ_UNIV_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfutil.h"
#include "rng.h"

#define FZ_KEY_MAX 36
#define FZ_STRIDE_MAX 512
#define FZ_UNIV_MAX 300
#define FZ_POOL 3
#define FZ_CLOSED_FD 900	/* kept closed in every process of the fuzzer */

enum fz_kind {
	FZ_HASH,
	FZ_PERCPU_HASH,
	FZ_LRU_HASH,
	FZ_LRU_PERCPU_HASH,
	FZ_ARRAY,
	FZ_PERCPU_ARRAY,
	FZ_LPM8,
	FZ_LPM20,
	FZ_HOM,
	FZ_NKINDS,
};

/* How the kernel walks the map (semantics.md §3.1). */
enum fz_fam {
	FZ_FAM_HASH,	/* bucket walk, 4-byte token, whole buckets, ENOSPC */
	FZ_FAM_ARRAY,	/* generic walk, index token, keys never vanish */
	FZ_FAM_LPM,	/* generic walk, last-key token */
};

/* Inner maps for hash-of-maps values: created once, inherited by the peer
 * at the same fd numbers. Lookups return their ids. */
struct fz_pool {
	int fd[FZ_POOL];
	uint32_t id[FZ_POOL];
};

struct fz_univ {
	enum fz_kind kind;
	enum fz_fam fam;
	struct mspec ms;
	uint32_t map_flags;
	uint32_t stride;	/* value bytes per element in batch buffers */
	uint32_t tok_len;	/* batch token bytes */
	uint32_t max_prefixlen;	/* LPM */
	uint32_t n;		/* keys 0..n-1 may be in the map */
	uint32_t nbad;		/* keys n..n+nbad-1 never are: updates of them fail */
	uint8_t *keys;
	uint32_t *sorted;	/* 0..n-1 ordered by key bytes */
	const struct fz_pool *pool;
};

const char *fz_kind_name(enum fz_kind k);
/* Parse a --kinds / --skip-kind name; -1 if unknown. */
int fz_kind_parse(const char *s);

int fz_pool_init(struct fz_pool *p);
void fz_pool_free(struct fz_pool *p);

/* A random shape and universe for kind k. 0 or -ENOMEM. */
int fz_univ_new(struct fz_univ *u, enum fz_kind k, const struct fz_pool *pool, struct fz_rng *r);
void fz_univ_free(struct fz_univ *u);
/* Create one map of this shape: the fd or -errno. */
int fz_univ_create(const struct fz_univ *u);

const uint8_t *fz_key(const struct fz_univ *u, uint32_t i);
/* The number of a key in 0..n-1, or -1. */
long fz_key_index(const struct fz_univ *u, const void *key);
/* Bytes an update passes for value seed vs (stride bytes; for hash-of-maps
 * 4 bytes: an inner map fd, fd 0 or a closed fd). */
void fz_value_in(const struct fz_univ *u, uint32_t vs, void *out);
/* Bytes a lookup returns after that update; false if it cannot succeed. */
bool fz_value_out(const struct fz_univ *u, uint32_t vs, void *out);
/* "key #i" plus its bytes, for messages. */
const char *fz_key_str(const struct fz_univ *u, uint32_t i, char *buf, unsigned len);

#endif
