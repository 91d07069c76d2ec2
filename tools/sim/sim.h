/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Kernel-version simulator: a seccomp filter that makes bpf(2), and the
 * syscalls the tools lean on, answer the way an older kernel's would, as far
 * as the registers decide it (sim_notify.h: the rest).
 */
#ifndef BPFBATCH_SIM_H
#define BPFBATCH_SIM_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "platform/uapi.h"

/* Number of bpf commands the table knows (0 .. SIM_NCMDS - 1). */
#define SIM_NCMDS BB_NCMDS

/*
 * First bpf command that kernel major.minor does not know; every command
 * from there on is EINVAL on it. 0 means the kernel has no bpf() at all
 * (before 3.18). Kernels newer than the table's last entry get SIM_NCMDS.
 * The table: platform/kversion.c.
 */
int sim_first_unknown_cmd(unsigned major, unsigned minor);

/*
 * Parse "X.Y" or "X.Y.Z" (decimal, nothing else); the patch level is
 * accepted and ignored. Returns 0 or -EINVAL.
 */
int sim_parse_version(const char *s, unsigned *major, unsigned *minor);

/*
 * Add to @ctx what kernel major.minor answers by the syscall's registers
 * alone: EINVAL for bpf commands it does not know (with @except_batch, not
 * for 24..27, which a front end serves), ENOSYS for bpf() before 3.18, and
 * the syscalls and flags it lacks (sim_features.h). 0 or -errno.
 */
int sim_add_rules(scmp_filter_ctx ctx, unsigned major, unsigned minor, bool except_batch);

/*
 * Install, in the calling thread (and everything it execs or forks later),
 * a filter of sim_add_rules(): bpf() behaves like kernel major.minor's as
 * far as the command number decides it, and what that kernel lacks fails.
 * Returns 0 or -errno.
 */
int sim_install(unsigned major, unsigned minor);

/*
 * Install in the calling thread (and what it forks and execs later) a
 * filter that makes perf_event_open fail as in an unprivileged container
 * (sim_no_perf_rules()). 0 or -errno.
 */
int sim_install_no_perf(void);

/*
 * sim_install() plus what the command number alone does not decide (per
 * map type and per argument, see sim_notify.h): those calls go to a
 * user-notify listener, returned in *listener (-1 if that kernel needs
 * none), which someone outside the filter must serve with
 * sim_notify_serve(). Returns 0 or -errno.
 */
int sim_install_faithful(unsigned major, unsigned minor, int *listener);

#endif
