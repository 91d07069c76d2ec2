/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The fuzzer's only source of randomness: splitmix64, so that one 64-bit seed
 * reproduces a run exactly, and a sequence's seed can be derived from the run
 * seed, the configuration and its number without running the ones before it.
 */
#ifndef BPFBATCH_FUZZ_RNG_H
#define BPFBATCH_FUZZ_RNG_H

#include <stdbool.h>
#include <stdint.h>

struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t fz_next(struct fz_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return fz_mix(r->s);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint32_t fz_below(struct fz_rng *r, uint32_t n)
{
	return (uint32_t)(((fz_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t fz_range(struct fz_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + fz_below(r, hi - lo + 1);
}

static inline bool fz_pct(struct fz_rng *r, uint32_t percent)
{
	return fz_below(r, 100) < percent;
}

#endif
