/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The simulator for the calling process itself (see sim_self.c).
 */
#ifndef BPFBATCH_SIM_SELF_H
#define BPFBATCH_SIM_SELF_H

/*
 * Make the calling thread's bpf() (and the syscalls of sim_add_rules())
 * answer as kernel major.minor's, per-type and per-argument rules included
 * (sim_install_faithful()), their listener served by a thread started here.
 * Threads the caller starts later inherit the filter; threads it started
 * before do not. Returns 0 or -errno.
 */
int sim_install_self(unsigned major, unsigned minor);

#endif
