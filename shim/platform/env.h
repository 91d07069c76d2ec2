/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * How the shim reads its BPFBATCH_* switches, in one place so that every
 * layer agrees on what "on" means. Read once by each owner (state.c for the
 * core's, accel_config.c for acceleration's), never per call.
 */
#ifndef BB_ENV_H
#define BB_ENV_H

#include <stdbool.h>

/* Set to anything but "" or "0". */
bool bb_env_on(const char *name);

/* A decimal in [0, max], else @dflt. */
unsigned int bb_env_uint(const char *name, unsigned int dflt, unsigned int max);

#endif
