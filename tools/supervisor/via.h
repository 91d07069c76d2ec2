/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Which front end `bpfbatch run` uses: seccomp user notification where the
 * kernel has it (5.0+) and the target's filter chain can still take a
 * listener, ptrace otherwise (ptrace_run.h); or the one asked for with
 * --via.
 */
#ifndef BPFBATCH_VIA_H
#define BPFBATCH_VIA_H

#include "supervisor/supervisor.h"

enum sup_via {
	SUP_VIA_AUTO,
	SUP_VIA_NOTIFY,
	SUP_VIA_PTRACE,
};

/* "auto", "notify" or "ptrace"; 0 or -EINVAL. */
int sup_via_parse(const char *s, enum sup_via *via);

/*
 * Run @o with the front end @via asks for (SUP_VIA_AUTO: the one this
 * kernel, or the simulated one, and this process allow). Returns what
 * sup_run() returns.
 */
int sup_via_run(const struct sup_opts *o, enum sup_via via);

#endif
