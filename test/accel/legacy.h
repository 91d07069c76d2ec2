/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the legacy loops share: the map under test, its keys and values, the
 * digest of every answer, and the checks (legacy_common.c). The loops
 * themselves: legacy_loops.c (one walker), legacy_shared.c (other fds,
 * processes and threads on the same map), legacy_edge.c (bad input, reused
 * fds).
 */
#ifndef LEGACY_H
#define LEGACY_H

#include <bpf/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KS 8 /* keys: u64, the index i as 1000003 * i + 7 */

struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[8];
};

struct legacy_globals {
	const char *loop, *type_name;
	enum bpf_map_type type;
	uint32_t n, ks, vs, ncpu, slow_us;
	int fd;
	uint64_t digest;
	long count;
	int bad; /* checks that failed */
};

extern struct legacy_globals g;
extern uint8_t *seen; /* how often each index was seen by the current walk */

void fail(const char *what, long a, long b);
void mix(const void *p, size_t len);
bool is_array(void);
bool is_percpu(void);
void make_key(void *k, uint32_t i);
long index_of(const void *k);
void make_val(void *v, uint32_t i, uint64_t gen);
long val_gen(const void *v, uint32_t i);
int create(void);
void fill(int fd, uint32_t lo, uint32_t hi);
void slow(void);
void *fresh_key(void);
void saw(const void *k);
int check_seen(uint32_t lo, uint32_t hi, int want_min, int want_max);
uint32_t *walk_order(void);
bool map_empty(void);

void loop_walk(bool lookup);
void loop_clear(void);
void loop_delete_odd(void);
void loop_pop_first(void);
void loop_update(void);
void loop_delete_ahead(void);
void loop_concurrent(void);
void loop_two_fds(void);
void loop_threads(void);
void loop_errors(void);
void loop_fd_reuse(void);

#endif
