/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The seccomp user-notify supervisor behind `bpfbatch run`: starts the
 * target with a filter that sends only bpf() commands 24..27 to a listener,
 * and serves those calls with the emulation core until no task under the
 * filter is left.
 */
#ifndef BPFBATCH_SUPERVISOR_H
#define BPFBATCH_SUPERVISOR_H

#include <stdbool.h>

/* Returned by sup_run() when the kernel cannot supervise: no user
 * notification (before 5.0) or the caller is already under a listener. */
#define SUP_EXIT_UNSUPPORTED 2

struct sup_opts {
	char *const *argv;       /* the target command, argv[0] looked up in PATH */
	bool simulate;           /* make the supervisor's bpf() like an older kernel */
	unsigned int sim_major;
	unsigned int sim_minor;
	bool no_perf;            /* perf_event_open fails, as in a container (--no-perf) */
	bool verbose;            /* one line per served call on stderr */
};

/* Run the target under supervision. Returns the exit status for the tool:
 * the target's (128 + signal if it was killed), 127 if it could not be
 * executed, SUP_EXIT_UNSUPPORTED or 1 on setup failures (with a message). */
int sup_run(const struct sup_opts *o);

#endif
