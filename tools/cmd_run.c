/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch run [--kernel X.Y] [--verbose] [--] CMD [ARGS...]
 * Run CMD with the bpf map batch commands served by a seccomp user-notify
 * supervisor: for static binaries and Go programs, which LD_PRELOAD cannot
 * reach.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "sim/sim.h"
#include "platform/state.h"
#include "supervisor/supervisor.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfbatch run [--kernel X.Y] [--verbose] [--] CMD [ARGS...]\n"
		"Run CMD with bpf(2) map batch commands (24..27) served by a supervisor:\n"
		"natively where the kernel has them, emulated where it does not.\n"
		"  --kernel X.Y  behave as on kernel X.Y: the supervisor's own bpf(), the\n"
		"                target's, and the seccomp and pidfd features the supervisor\n"
		"                uses (for testing the emulated path on a new kernel)\n"
		"  --verbose     one line per served call on stderr\n"
		"Needs Linux 5.0+ (seccomp user notification); exits %d when the kernel\n"
		"cannot supervise or CMD already runs under a notify supervisor.\n",
		SUP_EXIT_UNSUPPORTED);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sup_opts o = { .verbose = bb_state_log() }; /* BPFBATCH_LOG, as the shim reads it */
	int c;

	optind = 1;
	/* '+': stop at CMD so its own options are left alone. */
	while ((c = getopt_long(argc, argv, "+k:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (sim_parse_version(optarg, &o.sim_major, &o.sim_minor) < 0) {
				fprintf(stderr,
					"bpfbatch run: invalid kernel version '%s' (want X.Y or X.Y.Z)\n",
					optarg);
				return EXIT_USAGE;
			}
			o.simulate = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "bpfbatch run: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	o.argv = argv + optind;
	return sup_run(&o);
}
