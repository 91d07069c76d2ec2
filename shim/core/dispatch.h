/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Native or emulated? Decided per call from BPFBATCH_MODE, a one-time probe
 * of the kernel, and the memory of map types the kernel refused.
 */
#ifndef BB_DISPATCH_H
#define BB_DISPATCH_H

#include "core/emu.h"

/* Serve batch command @cmd (24..27) on the caller's attr. Returns >= 0 or
 * -errno: exactly what the kernel's bpf() would, for the newest kernel. */
long bb_dispatch_batch(int cmd, void *uattr, unsigned int size);

/*
 * The same for a front end that has read the attr and the map's facts
 * already (the supervisor): @c as bb_emu_prepare() fills it (cmd; uattr, a
 * readable attr of size bytes where the count is written and that a native
 * call is given; a, the attr as the kernel reads it; m, the map's facts), and
 * @prep the -errno reading either gave, or 0. Nothing is read twice.
 */
long bb_dispatch_prepared(struct bb_emu_call *c, long prep);

/* Does the running kernel know the batch commands? (probed once) */
int bb_dispatch_kernel_has_batch(void);

#endif
