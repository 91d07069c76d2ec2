/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "bpfutil.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

bool bu_is_hash(uint32_t type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

bool bu_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

bool bu_is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

const char *bu_type_name(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
		return "HASH";
	case BPF_MAP_TYPE_PERCPU_HASH:
		return "PERCPU_HASH";
	case BPF_MAP_TYPE_LRU_HASH:
		return "LRU_HASH";
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return "LRU_PERCPU_HASH";
	case BPF_MAP_TYPE_ARRAY:
		return "ARRAY";
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return "PERCPU_ARRAY";
	case BPF_MAP_TYPE_LPM_TRIE:
		return "LPM_TRIE";
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return "HASH_OF_MAPS";
	default:
		return "?";
	}
}

unsigned int bu_ncpus(void)
{
	static int n;

	if (!n) {
		int r = libbpf_num_possible_cpus();

		n = r > 0 ? r : 1;
	}
	return (unsigned int)n;
}

uint32_t bu_stride(const struct mspec *ms)
{
	if (bu_is_percpu(ms->type))
		return ((ms->value_size + 7) & ~7u) * bu_ncpus();
	return ms->value_size;
}

int bu_bpf_usable(void)
{
	int fd;

	if (geteuid() != 0)
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 4, 2, NULL);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int bu_create(const struct mspec *ms)
{
	return bu_create_opts(ms, 0, -1);
}

int bu_create_opts(const struct mspec *ms, uint32_t map_flags, int inner_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = map_flags);
	int fd;

	if (inner_fd >= 0)
		o.inner_map_fd = (uint32_t)inner_fd;
	fd = bpf_map_create(ms->type, NULL, ms->key_size, ms->value_size, ms->max_entries, &o);
	return fd < 0 ? -errno : fd;
}

void bu_key(const struct mspec *ms, uint32_t i, void *key)
{
	uint8_t *k = key;
	uint32_t v;

	if (!bu_is_hash(ms->type)) {
		memcpy(key, &i, 4);	/* array index */
		return;
	}
	v = i * 2654435761u + 17;
	memset(k, 0, ms->key_size);
	memcpy(k, &v, 4);
	for (uint32_t b = 4; b < ms->key_size; b++)
		k[b] = (uint8_t)(i * 31 + b * 7);
}

void bu_value(const struct mspec *ms, uint32_t i, uint32_t seed, void *val)
{
	uint8_t *p = val;
	uint32_t stride = bu_stride(ms);

	for (uint32_t b = 0; b < stride; b++)
		p[b] = (uint8_t)(i * 13 + b * 5 + seed * 101 + 1);
}

int bu_fill(int fd, const struct mspec *ms, uint32_t first, uint32_t n, uint32_t seed)
{
	uint8_t key[64], *val = malloc(bu_stride(ms));
	int ret = 0;

	if (!val)
		return -ENOMEM;
	for (uint32_t i = first; i < first + n; i++) {
		bu_key(ms, i, key);
		bu_value(ms, i, seed, val);
		if (bpf_map_update_elem(fd, key, val, BPF_ANY)) {
			ret = -errno;
			break;
		}
	}
	free(val);
	return ret;
}

void kv_init(struct kvset *s, const struct mspec *ms)
{
	s->n = 0;
	s->key_size = ms->key_size;
	s->stride = bu_stride(ms);
	s->rec = NULL;
}

void kv_free(struct kvset *s)
{
	free(s->rec);
	s->rec = NULL;
	s->n = 0;
}

size_t kv_recsize(const struct kvset *s)
{
	return (size_t)s->key_size + s->stride;
}

void kv_add(struct kvset *s, const void *key, const void *val)
{
	size_t rs = kv_recsize(s);
	uint8_t *r = realloc(s->rec, rs * (s->n + 1));

	if (!r)
		abort();
	s->rec = r;
	memcpy(r + rs * s->n, key, s->key_size);
	if (val)
		memcpy(r + rs * s->n + s->key_size, val, s->stride);
	else
		memset(r + rs * s->n + s->key_size, 0, s->stride);
	s->n++;
}

static size_t cmp_ks;

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, cmp_ks);
}

void kv_sort(struct kvset *s)
{
	cmp_ks = s->key_size;
	if (s->n)
		qsort(s->rec, s->n, kv_recsize(s), cmp_key);
}

long kv_find(const struct kvset *s, const void *key)
{
	size_t rs = kv_recsize(s);
	long lo = 0, hi = (long)s->n - 1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;
		int c = memcmp(s->rec + rs * mid, key, s->key_size);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

long kv_first_dup(const struct kvset *s)
{
	size_t rs = kv_recsize(s);

	for (uint32_t i = 1; i < s->n; i++)
		if (!memcmp(s->rec + rs * (i - 1), s->rec + rs * i, s->key_size))
			return i;
	return -1;
}

bool kv_equal(const struct kvset *a, const struct kvset *b, const char **why)
{
	size_t rs = kv_recsize(a);

	if (a->n != b->n) {
		*why = "different number of elements";
		return false;
	}
	for (uint32_t i = 0; i < a->n; i++) {
		if (memcmp(a->rec + rs * i, b->rec + rs * i, a->key_size)) {
			*why = "different key sets";
			return false;
		}
		if (memcmp(a->rec + rs * i + a->key_size, b->rec + rs * i + a->key_size, a->stride)) {
			*why = "same keys, different values";
			return false;
		}
	}
	*why = "equal";
	return true;
}

const char *kv_keystr(const struct kvset *s, const void *key, char *buf, size_t len)
{
	const uint8_t *k = key;
	size_t o = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < s->key_size && o + 3 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x", k[i]);
	return buf;
}

int bu_dump(int fd, const struct mspec *ms, struct kvset *out)
{
	uint8_t key[64], next[64];
	uint8_t *val = malloc(bu_stride(ms));
	void *prev = NULL;
	unsigned int guard = 0;
	int ret = 0;

	if (!val)
		return -ENOMEM;
	kv_init(out, ms);
	for (;;) {
		if (bpf_map_get_next_key(fd, prev, next)) {
			if (errno != ENOENT)
				ret = -errno;
			break;
		}
		if (++guard > 1u << 20) {
			ret = -ELOOP;
			break;
		}
		if (bpf_map_lookup_elem(fd, next, val)) {
			if (errno != ENOENT) {
				ret = -errno;
				break;
			}
		} else {
			kv_add(out, next, val);
		}
		memcpy(key, next, ms->key_size);
		prev = key;
	}
	free(val);
	kv_sort(out);
	return ret;
}

void bu_pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}
