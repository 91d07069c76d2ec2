/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Native or emulated? Decided per call from BPFBATCH_MODE, a one-time probe
 * of the kernel, and the memory of map types the kernel refused. The same
 * rule answers `bpfbatch probe` and acceleration (bb_dispatch_route,
 * bb_dispatch_kernel_serves), so what they report is what calls get.
 */
#ifndef BB_DISPATCH_H
#define BB_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

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

enum bb_path {
	BB_PATH_NATIVE,   /* the kernel serves the call */
	BB_PATH_EMULATED, /* the emulation core serves it */
	BB_PATH_REFUSED,  /* it fails as the kernel (or the newest kernel: 524) says */
};

struct bb_route {
	enum bb_path path;
	const char *why; /* in BPFBATCH_LOG's words */
};

/* What bb_dispatch_batch() does with batch @cmd on a well-formed call for a
 * map of @type in this process, given @kernel: the kernel's own answer for
 * such a map (bb_kprobe_batch_op()). Asks the kernel nothing beyond the
 * one-time probes and remembers nothing. */
struct bb_route bb_dispatch_route(uint32_t type, int cmd, long kernel);

/* Does the kernel serve batch @cmd for @type itself, as far as this process
 * knows (it has the batch commands and has not refused the type)? Whatever
 * BPFBATCH_MODE says. */
bool bb_dispatch_kernel_serves(uint32_t type, int cmd);

#endif
