/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "accel/accel_clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "accel/accel_mem.h"
#include "accel/accel_walk.h"
#include "accel/accel_config.h"

static struct {
	pthread_once_t once;
	clockid_t id;
	uint64_t slack; /* the coarse clock's resolution, or 0 */
} c = { .once = PTHREAD_ONCE_INIT, .id = CLOCK_MONOTONIC };

static void choose(void)
{
	uint64_t bound = BB_UMEM_TTL_NS, age = (uint64_t)bb_accel_max_age_ms() * 1000000ULL;
	struct timespec r;

	if (age && age < bound)
		bound = age;
	if (BB_SUCC_TTL_NS < bound)
		bound = BB_SUCC_TTL_NS;
	if (clock_getres(CLOCK_MONOTONIC_COARSE, &r) || r.tv_sec)
		return;
	if ((uint64_t)r.tv_nsec * 2 <= bound) {
		c.id = CLOCK_MONOTONIC_COARSE;
		c.slack = (uint64_t)r.tv_nsec;
	}
}

uint64_t bb_clock_now(void)
{
	static _Atomic int id = -1; /* c.id once chosen: one load per call */
	struct timespec ts;
	int v = atomic_load_explicit(&id, memory_order_relaxed);

	if (v < 0) {
		pthread_once(&c.once, choose);
		v = (int)c.id;
		atomic_store_explicit(&id, v, memory_order_relaxed);
	}
	clock_gettime((clockid_t)v, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t bb_clock_within(uint64_t bound_ns)
{
	pthread_once(&c.once, choose);
	return bound_ns > c.slack ? bound_ns - c.slack : 0;
}
