/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Which front end `bpfbatch run` uses. --via auto takes seccomp user
 * notification only where it is exact, answering every call once as the
 * kernel would whatever signals do and taking any fd in a value:
 *   - the kernel has WAIT_KILLABLE_RECV (5.19+): no answer is taken back; or
 *   - it has pidfd_getfd (5.6+: fds in values), POLLHUP on the listener
 *     (5.8+: descendants stay served) and a witness can be opened here
 *     (supervisor/witness.h: tracefs and perf_event_open), so that an answer
 *     a signal dropped after sending is seen and replayed;
 * and ptrace (ptrace_run.h) otherwise, which has none of these limits. A
 * listener already taken, or no user notification at all, also means
 * ptrace; where ptrace is not to be had (an architecture without the front
 * end, a container profile refusing it), notify, with a warning where it is
 * not exact.
 *
 * The facts are found out, not assumed: a throw-away child under the same
 * filters as the supervisor (the simulated kernel's, --no-perf's) seizes a
 * child of its own, asks for a killable listener, calls pidfd_getfd and
 * opens a witness on itself.
 * POLLHUP alone comes from the version table (platform/kversion.c).
 */
#ifndef BPFBATCH_VIA_H
#define BPFBATCH_VIA_H

#include <stdbool.h>

#include "supervisor/supervisor.h"

enum sup_via {
	SUP_VIA_AUTO,
	SUP_VIA_NOTIFY,
	SUP_VIA_PTRACE,
};

/* What auto takes here, and why. */
struct sup_choice {
	enum sup_via via; /* SUP_VIA_NOTIFY or SUP_VIA_PTRACE */
	bool notify_exact; /* the notify front end would answer as the kernel */
	char why[200];     /* one line: why auto takes it */
	char notify_why[160]; /* why notify is not exact ("" where it is) */
	char facts[200];   /* one line: what was found out */
};

/* "auto", "notify" or "ptrace"; 0 or -EINVAL. */
int sup_via_parse(const char *s, enum sup_via *via);

/* What --via auto takes for @o (its kernel, its --no-perf, this process).
 * 0 or -errno (the probe could not run). */
int sup_via_choose(const struct sup_opts *o, struct sup_choice *c);

/* `run --explain`: print the choice for @o on stdout. Exit status. */
int sup_via_explain(const struct sup_opts *o);

/*
 * Run @o with the front end @via asks for (SUP_VIA_AUTO: sup_via_choose()).
 * A forced notify where it is not exact is run, with a one-line warning.
 * Returns what sup_run() returns.
 */
int sup_via_run(const struct sup_opts *o, enum sup_via via);

#endif
