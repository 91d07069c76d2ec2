/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch run [--kernel X.Y] [--no-perf] [--via auto|notify|ptrace] [--verbose] [--] CMD...
 * bpfbatch run --explain [--kernel X.Y] [--no-perf]
 * Run CMD with the bpf map batch commands served by a supervisor (seccomp
 * user notification where it is exact, ptrace otherwise: supervisor/via.h):
 * for static binaries and Go programs, which LD_PRELOAD cannot reach.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "sim/sim.h"
#include "platform/state.h"
#include "supervisor/supervisor.h"
#include "supervisor/via.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfbatch run [--kernel X.Y] [--no-perf] [--via auto|notify|ptrace]\n"
		"                    [--verbose] [--] CMD [ARGS...]\n"
		"       bpfbatch run --explain [--kernel X.Y] [--no-perf]\n"
		"Run CMD with bpf(2) map batch commands (24..27) served by a supervisor:\n"
		"natively where the kernel has them, emulated where it does not.\n"
		"  --kernel X.Y  behave as on kernel X.Y: the supervisor's own bpf(), the\n"
		"                target's, and the seccomp and pidfd features the supervisor\n"
		"                uses (before 5.0 there is no seccomp user notification, so\n"
		"                ptrace serves)\n"
		"  --no-perf     perf_event_open fails with EACCES, for the supervisor and\n"
		"                the target, as in an unprivileged container\n"
		"  --via W       the front end: notify (seccomp user notification, 5.0+),\n"
		"                ptrace (any kernel; the target shows a tracer), or auto\n"
		"                (default: notify where it answers every call exactly as\n"
		"                the kernel would, whatever signals do: 5.19+, or 5.8+\n"
		"                with tracefs and perf_event_open; else ptrace)\n"
		"  --explain     say which front end auto takes here, and why\n"
		"  --verbose     one line per served call on stderr\n"
		"Exits %d when the front end cannot supervise here.\n",
		SUP_EXIT_UNSUPPORTED);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "via", required_argument, NULL, 'w' },
		{ "no-perf", no_argument, NULL, 'P' },
		{ "explain", no_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sup_opts o = { .verbose = bb_state_log() }; /* BPFBATCH_LOG, as the shim reads it */
	enum sup_via via = SUP_VIA_AUTO;
	bool explain = false;
	int c;

	optind = 1;
	/* '+': stop at CMD so its own options are left alone. */
	while ((c = getopt_long(argc, argv, "+k:w:Pevh", opts, NULL)) != -1) {
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
		case 'w':
			if (sup_via_parse(optarg, &via) < 0) {
				fprintf(stderr, "bpfbatch run: --via wants auto, notify or ptrace\n");
				return EXIT_USAGE;
			}
			break;
		case 'P':
			o.no_perf = true;
			break;
		case 'e':
			explain = true;
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
	if (explain)
		return sup_via_explain(&o);
	if (optind >= argc) {
		fprintf(stderr, "bpfbatch run: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	o.argv = argv + optind;
	return sup_via_run(&o, via);
}
