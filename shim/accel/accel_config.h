/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * BPFBATCH_ACCEL and BPFBATCH_ACCEL_MAX_AGE_MS. Acceleration is linked into
 * the preloaded library only, so its switches live here rather than in the
 * core's state: the C API and the tool carry neither. The preload entry asks
 * bb_accel_enabled() on every bpf() call, so once the environment has been
 * read that is one relaxed load, inline, and with acceleration off nothing
 * else of this layer runs.
 */
#ifndef BB_ACCEL_CONFIG_H
#define BB_ACCEL_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>

/* -1: not read yet, 0: off, 1: on. Written by bb_accel_config_read() only. */
extern _Atomic int bb_accel_state;

/* Read the environment (once, thread-safely); returns BPFBATCH_ACCEL. */
bool bb_accel_config_read(void);

/* BPFBATCH_ACCEL set to anything but "" or "0". */
static inline bool bb_accel_enabled(void)
{
	int v = atomic_load_explicit(&bb_accel_state, memory_order_relaxed);

	return v < 0 ? bb_accel_config_read() : v != 0;
}

/* BPFBATCH_ACCEL_MAX_AGE_MS (default 10, at most 1000): how old a prefetched
 * answer may be; 0 turns prefetching off, leaving the successor memory. */
unsigned int bb_accel_max_age_ms(void);

#endif
