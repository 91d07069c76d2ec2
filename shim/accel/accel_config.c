/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "accel/accel_config.h"

#include <pthread.h>

#include "platform/env.h"

_Atomic int bb_accel_state = -1;

static struct {
	pthread_once_t once;
	bool on;
	unsigned int max_age_ms;
} cfg = { .once = PTHREAD_ONCE_INIT };

static void read_env(void)
{
	cfg.on = bb_env_on("BPFBATCH_ACCEL");
	cfg.max_age_ms = bb_env_uint("BPFBATCH_ACCEL_MAX_AGE_MS", 10, 1000);
}

bool bb_accel_config_read(void)
{
	pthread_once(&cfg.once, read_env);
	atomic_store_explicit(&bb_accel_state, cfg.on, memory_order_relaxed);
	return cfg.on;
}

unsigned int bb_accel_max_age_ms(void)
{
	pthread_once(&cfg.once, read_env);
	return cfg.max_age_ms;
}
