/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The per-type and per-argument rules of an old kernel (sim_judge.h),
 * served through a user-notify listener: the calls that need a look go to
 * it, and it fails them as that kernel would or lets the real kernel run
 * them.
 *
 * A process has one listener at most, so CMD cannot itself install another
 * (e.g. `bpfbatch run`) under a simulator that needs one.
 */
#ifndef BPFBATCH_SIM_NOTIFY_H
#define BPFBATCH_SIM_NOTIFY_H

#include <seccomp.h>

/* Add the notify rules kernel major.minor needs to @ctx. Returns how many
 * were added (0: the plain filter is faithful) or -errno. */
int sim_notify_add_rules(scmp_filter_ctx ctx, unsigned major, unsigned minor);

/* Does kernel major.minor need any of them? */
int sim_notify_needed(unsigned major, unsigned minor);

/* Serve @listener until no process is left under the filter. */
int sim_notify_serve(int listener, unsigned major, unsigned minor);

#endif
