/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "univ.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

static const char *const kind_names[FZ_NKINDS] = {
	"hash", "percpu_hash", "lru_hash", "lru_percpu_hash", "array", "percpu_array",
	"lpm8", "lpm20", "hash_of_maps",
};

const char *fz_kind_name(enum fz_kind k)
{
	return k < FZ_NKINDS ? kind_names[k] : "?";
}

int fz_kind_parse(const char *s)
{
	for (int k = 0; k < FZ_NKINDS; k++)
		if (!strcmp(s, kind_names[k]))
			return k;
	return -1;
}

int fz_pool_init(struct fz_pool *p)
{
	struct mspec ms = { BPF_MAP_TYPE_ARRAY, 4, 4, 1 };

	for (int i = 0; i < FZ_POOL; i++) {
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);

		p->fd[i] = bu_create(&ms);
		if (p->fd[i] < 0)
			return p->fd[i];
		if (bpf_obj_get_info_by_fd(p->fd[i], &info, &len))
			return -errno;
		p->id[i] = info.id;
	}
	return 0;
}

void fz_pool_free(struct fz_pool *p)
{
	for (int i = 0; i < FZ_POOL; i++)
		if (p->fd[i] >= 0)
			close(p->fd[i]);
}

/* Mostly small universes (walks end within a few calls), some up to the
 * largest count a call takes. */
static uint32_t pick_n(struct fz_rng *r, uint32_t max)
{
	uint32_t n = fz_pct(r, 35) ? fz_range(r, 1, 16) :
		     fz_pct(r, 65) ? fz_range(r, 17, 96) : fz_range(r, 97, FZ_UNIV_MAX);

	return n < max ? n : max;
}

/* Between half and twice the universe: full maps (E2BIG, ENOSPC) happen. */
static uint32_t tight(struct fz_rng *r, uint32_t n)
{
	return fz_range(r, n / 2 ? n / 2 : 1, 2 * n);
}

/* Data bits past the prefix are zero: the trie keeps the key bytes it was
 * given, and a key with other trailing bits would be a different key. */
static void lpm_canon(uint8_t *key, uint32_t ks)
{
	uint32_t pl;

	memcpy(&pl, key, 4);
	for (uint32_t b = pl; b < (ks - 4) * 8; b++)
		key[4 + b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

/* Nested prefixes (children of earlier ones) and unrelated ones, distinct. */
static void lpm_keys(struct fz_univ *u, struct fz_rng *r)
{
	uint32_t ks = u->ms.key_size, i = 0;

	while (i < u->n) {
		uint8_t *k = u->keys + (size_t)i * ks;
		uint32_t pl, base = 0;
		bool dup = false;

		if (i && fz_pct(r, 60)) {
			/* a more specific prefix under an earlier one */
			memcpy(k, u->keys + (size_t)fz_below(r, i) * ks, ks);
			memcpy(&base, k, 4);
			pl = base + fz_range(r, 1, 8);
			if (pl > u->max_prefixlen)
				pl = u->max_prefixlen;
		} else {
			pl = fz_range(r, 0, u->max_prefixlen);
		}
		memcpy(k, &pl, 4);
		for (uint32_t b = base; b < (ks - 4) * 8; b++)
			if (fz_next(r) & 1)
				k[4 + b / 8] ^= (uint8_t)(0x80u >> (b % 8));
		lpm_canon(k, ks);
		for (uint32_t j = 0; j < i && !dup; j++)
			dup = !memcmp(k, u->keys + (size_t)j * ks, ks);
		if (!dup)
			i++;
	}
	/* Never stored: prefixlen past the maximum (EINVAL). */
	for (uint32_t b = 0; b < u->nbad; b++) {
		uint8_t *k = u->keys + (size_t)(u->n + b) * ks;
		uint32_t pl = b ? 0xffffffffu : u->max_prefixlen + 1;

		memset(k, 0, ks);
		memcpy(k, &pl, 4);
	}
}

static void hash_keys(struct fz_univ *u, struct fz_rng *r)
{
	uint32_t ks = u->ms.key_size, salt = (uint32_t)fz_next(r);

	for (uint32_t i = 0; i < u->n; i++) {
		uint8_t *k = u->keys + (size_t)i * ks;
		/* odd multiplier: distinct for distinct i */
		uint32_t v = i * 2654435761u + salt;

		memcpy(k, &v, 4);
		for (uint32_t b = 4; b < ks; b++)
			k[b] = (uint8_t)fz_next(r);
	}
}

static void array_keys(struct fz_univ *u)
{
	static const uint32_t bad[] = { 0, 1, 1000, 0xffffffffu };

	for (uint32_t i = 0; i < u->n; i++)
		memcpy(u->keys + (size_t)i * 4, &i, 4);
	for (uint32_t b = 0; b < u->nbad; b++) {
		uint32_t v = b < 3 ? u->n + bad[b] : bad[3];

		memcpy(u->keys + (size_t)(u->n + b) * 4, &v, 4);
	}
}

static const struct fz_univ *sort_u;

static int cmp_idx(const void *a, const void *b)
{
	uint32_t ks = sort_u->ms.key_size;

	return memcmp(sort_u->keys + (size_t)*(const uint32_t *)a * ks,
		      sort_u->keys + (size_t)*(const uint32_t *)b * ks, ks);
}

int fz_univ_new(struct fz_univ *u, enum fz_kind k, const struct fz_pool *pool, struct fz_rng *r)
{
	static const uint32_t hash_ks[] = { 4, 8, 12, 20, 36 };
	static const uint32_t vsizes[] = { 4, 8, 12, 20, 24 };
	uint32_t vs = vsizes[fz_below(r, 5)];

	memset(u, 0, sizeof(*u));
	u->kind = k;
	u->pool = pool;
	switch (k) {
	case FZ_HASH:
	case FZ_PERCPU_HASH:
	case FZ_LRU_HASH:
	case FZ_LRU_PERCPU_HASH: {
		static const uint32_t types[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH,
						  BPF_MAP_TYPE_LRU_HASH,
						  BPF_MAP_TYPE_LRU_PERCPU_HASH };
		bool lru = k == FZ_LRU_HASH || k == FZ_LRU_PERCPU_HASH;

		u->fam = FZ_FAM_HASH;
		u->n = pick_n(r, FZ_UNIV_MAX);
		u->ms = (struct mspec){ types[k - FZ_HASH], hash_ks[fz_below(r, 5)], vs, 0 };
		/* LRU maps evict instead of failing when full, per CPU list:
		 * keep them far from full so the contents stay predictable. */
		u->ms.max_entries = lru ? u->n + 1024 : tight(r, u->n);
		u->map_flags = BPF_F_ZERO_SEED; /* same bucket order in every run */
		if (!lru && fz_pct(r, 30))
			u->map_flags |= BPF_F_NO_PREALLOC;
		break;
	}
	case FZ_HOM:
		u->fam = FZ_FAM_HASH;
		u->n = pick_n(r, 48);
		u->ms = (struct mspec){ BPF_MAP_TYPE_HASH_OF_MAPS, fz_pct(r, 50) ? 4 : 8, 4, 0 };
		u->ms.max_entries = tight(r, u->n);
		u->map_flags = BPF_F_ZERO_SEED;
		break;
	case FZ_ARRAY:
	case FZ_PERCPU_ARRAY:
		u->fam = FZ_FAM_ARRAY;
		u->n = pick_n(r, FZ_UNIV_MAX);
		u->nbad = 4;
		u->ms = (struct mspec){
			k == FZ_ARRAY ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_PERCPU_ARRAY, 4, vs, u->n
		};
		break;
	case FZ_LPM8:
	case FZ_LPM20:
		u->fam = FZ_FAM_LPM;
		u->n = pick_n(r, FZ_UNIV_MAX);
		u->nbad = 2;
		u->ms = (struct mspec){ BPF_MAP_TYPE_LPM_TRIE, k == FZ_LPM8 ? 8 : 20,
					fz_pct(r, 50) ? 8 : vs, 0 };
		u->ms.max_entries = tight(r, u->n);
		u->max_prefixlen = (u->ms.key_size - 4) * 8;
		u->map_flags = BPF_F_NO_PREALLOC; /* required */
		break;
	default:
		return -EINVAL;
	}
	u->stride = bu_stride(&u->ms);
	if (u->stride > FZ_STRIDE_MAX)
		return -E2BIG; /* more CPUs than the fuzzer's buffers allow for */
	u->tok_len = u->fam == FZ_FAM_HASH ? 4 : u->ms.key_size;
	u->keys = calloc(u->n + u->nbad, u->ms.key_size);
	u->sorted = calloc(u->n, sizeof(uint32_t));
	if (!u->keys || !u->sorted)
		return -ENOMEM;
	if (u->fam == FZ_FAM_ARRAY)
		array_keys(u);
	else if (u->fam == FZ_FAM_LPM)
		lpm_keys(u, r);
	else
		hash_keys(u, r);
	for (uint32_t i = 0; i < u->n; i++)
		u->sorted[i] = i;
	sort_u = u;
	qsort(u->sorted, u->n, sizeof(uint32_t), cmp_idx);
	return 0;
}

void fz_univ_free(struct fz_univ *u)
{
	free(u->keys);
	free(u->sorted);
	memset(u, 0, sizeof(*u));
}

int fz_univ_create(const struct fz_univ *u)
{
	return bu_create_opts(&u->ms, u->map_flags, u->kind == FZ_HOM ? u->pool->fd[0] : -1);
}

const uint8_t *fz_key(const struct fz_univ *u, uint32_t i)
{
	return u->keys + (size_t)i * u->ms.key_size;
}

long fz_key_index(const struct fz_univ *u, const void *key)
{
	long lo = 0, hi = (long)u->n - 1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;
		int c = memcmp(fz_key(u, u->sorted[mid]), key, u->ms.key_size);

		if (!c)
			return u->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Value seeds for hash-of-maps: vs % (FZ_POOL + 2) picks an inner map, or
 * fd 0 (not a map: EINVAL), or a closed fd (EBADF). */
void fz_value_in(const struct fz_univ *u, uint32_t vs, void *out)
{
	uint8_t *p = out;
	struct fz_rng r = { vs * 0x2545f4914f6cdd1dULL + 1 };

	if (u->kind == FZ_HOM) {
		uint32_t j = vs % (FZ_POOL + 2);
		int32_t fd = j < FZ_POOL ? u->pool->fd[j] : j == FZ_POOL ? 0 : FZ_CLOSED_FD;

		memcpy(out, &fd, 4);
		return;
	}
	for (uint32_t b = 0; b < u->stride; b += 8) {
		uint64_t v = fz_next(&r);

		memcpy(p + b, &v, u->stride - b < 8 ? u->stride - b : 8);
	}
}

bool fz_value_out(const struct fz_univ *u, uint32_t vs, void *out)
{
	if (u->kind == FZ_HOM) {
		uint32_t j = vs % (FZ_POOL + 2);

		if (j >= FZ_POOL)
			return false;
		memcpy(out, &u->pool->id[j], 4);
		return true;
	}
	fz_value_in(u, vs, out);
	return true;
}

const char *fz_key_str(const struct fz_univ *u, uint32_t i, char *buf, unsigned len)
{
	const uint8_t *k = fz_key(u, i);
	unsigned o = (unsigned)snprintf(buf, len, "#%u(", i);

	for (uint32_t b = 0; b < u->ms.key_size && b < 12 && o + 4 < len; b++)
		o += (unsigned)snprintf(buf + o, len - o, "%02x", k[b]);
	if (o + 5 < len)
		snprintf(buf + o, len - o, "%s)", u->ms.key_size > 12 ? ".." : "");
	return buf;
}
