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

#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

/* Add the notify rules kernel @v (BB_KV()) needs to @ctx; @served: none for
 * bpf commands 24..27, which a supervisor's own rule sends it already.
 * Returns how many were added (0: the plain filter is faithful) or -errno. */
int sim_notify_add_rules(scmp_filter_ctx ctx, uint32_t v, bool served);

/* Does kernel major.minor need any of them? */
int sim_notify_needed(unsigned major, unsigned minor);

/* The verdict of kernel @v on the notified call @req: 0 (the host kernel
 * answers as @v would: let it run the call) or the -errno @v gives. Where an
 * earlier check of the kernel's would fail (bad fd, no access, bad pointer)
 * the call is left to the host kernel, which gives that answer. For
 * `bpfbatch run --kernel`, whose listener receives these calls too. */
long sim_notify_judge(const struct seccomp_notif *req, uint32_t v);

/* Serve @listener until no process is left under the filter. */
int sim_notify_serve(int listener, unsigned major, unsigned minor);

#endif
