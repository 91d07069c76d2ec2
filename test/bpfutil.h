/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Map helpers for the conformance tests: creation, deterministic content,
 * and dumps through the single-element commands (libbpf is the client).
 */
#ifndef BPFBATCH_TEST_BPFUTIL_H
#define BPFBATCH_TEST_BPFUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Shape of one test map. */
struct mspec {
	uint32_t type;		/* enum bpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
};

/* A set of elements, sorted by key: n records of key_size + stride bytes. */
struct kvset {
	uint32_t n;
	uint32_t key_size;
	uint32_t stride;	/* value bytes per element as user space sees them */
	uint8_t *rec;
};

bool bu_is_hash(uint32_t type);
bool bu_is_percpu(uint32_t type);
bool bu_is_lru(uint32_t type);
const char *bu_type_name(uint32_t type);
unsigned int bu_ncpus(void);
/* round_up(value_size, 8) * possible CPUs for per-CPU maps, else value_size */
uint32_t bu_stride(const struct mspec *ms);

/* 1 if bpf maps can be created here, 0 otherwise (for cr_skip_test). */
int bu_bpf_usable(void);

/* bpf_map_create; returns the fd or a negative errno. */
int bu_create(const struct mspec *ms);
/* The same with map_flags (e.g. BPF_F_ZERO_SEED, BPF_F_NO_PREALLOC) and, for
 * map-in-map types, the inner map template (-1: none). */
int bu_create_opts(const struct mspec *ms, uint32_t map_flags, int inner_fd);

/* Deterministic key #i and its value (seed varies the value). */
void bu_key(const struct mspec *ms, uint32_t i, void *key);
void bu_value(const struct mspec *ms, uint32_t i, uint32_t seed, void *val);

/* Insert keys #first..#first+n-1 with bu_update_elem; returns 0 or -errno. */
int bu_fill(int fd, const struct mspec *ms, uint32_t first, uint32_t n, uint32_t seed);

/* Dump the map with GET_NEXT_KEY + LOOKUP_ELEM into a sorted set. 0 or -errno. */
int bu_dump(int fd, const struct mspec *ms, struct kvset *out);

void kv_init(struct kvset *s, const struct mspec *ms);
void kv_free(struct kvset *s);
size_t kv_recsize(const struct kvset *s);
void kv_add(struct kvset *s, const void *key, const void *val);
void kv_sort(struct kvset *s);
/* Index of key in a sorted set, or -1. */
long kv_find(const struct kvset *s, const void *key);
/* After kv_sort: index of the first duplicated key, or -1. */
long kv_first_dup(const struct kvset *s);
/* Both sorted: true if equal; *why gets a static description otherwise. */
bool kv_equal(const struct kvset *a, const struct kvset *b, const char **why);
/* Hex of a key into buf (for messages). */
const char *kv_keystr(const struct kvset *s, const void *key, char *buf, size_t len);

/* Pin the calling thread (and its future children) to CPU 0, so LRU maps
 * evict only when full. */
void bu_pin_cpu0(void);

#endif
