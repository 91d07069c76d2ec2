/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The clock behind acceleration's age bounds, read once per accelerated
 * call. CLOCK_MONOTONIC costs ~30 ns from the vDSO, a sizeable share of an
 * answer served from memory; CLOCK_MONOTONIC_COARSE costs a few but lags by
 * up to its resolution (a tick). Where that resolution is at most half of
 * every bound in use, the coarse clock is used and each bound is checked
 * as bound - resolution, so nothing is ever older than its bound in real
 * time; otherwise the fine clock, with the bounds as they are.
 */
#ifndef BB_ACCEL_CLOCK_H
#define BB_ACCEL_CLOCK_H

#include <stdint.h>

/* Nanoseconds on the chosen clock. */
uint64_t bb_clock_now(void);

/* The largest difference of two bb_clock_now() readings that is sure to be
 * within @bound_ns of real time (0 if none is). */
uint64_t bb_clock_within(uint64_t bound_ns);

#endif
