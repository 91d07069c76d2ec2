/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The filters a supervised target runs under, installed by the target
 * itself between fork and exec: bpf() commands 24..27 to the supervisor's
 * listener and, for `run --kernel X.Y`, the simulator's rules for X.Y in
 * front of it (sim_add_rules(), 24..27 excepted) and its per-type rules on
 * the same listener (the target can have only one).
 */
#ifndef BPFBATCH_TARGET_FILTER_H
#define BPFBATCH_TARGET_FILTER_H

#include <stdint.h>

/* Bits of what tfl_install() returns. */
#define TFL_KILLABLE 1 /* the listener's waits are killable (WAIT_KILLABLE_RECV) */

/*
 * Install the filters in the calling thread: @kv the simulated kernel
 * (BB_KV()), 0 for none. The listener fd in *listener; returns TFL_* bits,
 * or -errno (-EOPNOTSUPP: no user notification here).
 */
int tfl_install(uint32_t kv, int *listener);

#endif
