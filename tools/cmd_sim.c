/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch sim --kernel X.Y[.Z] [--] CMD [ARGS...]
 * Run CMD with bpf(2) restricted to the commands kernel X.Y knows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "sim.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfbatch sim --kernel X.Y[.Z] [--] CMD [ARGS...]\n"
		"Run CMD as if on Linux X.Y: bpf(2) commands newer than X.Y fail\n"
		"with EINVAL (before 3.18, bpf() fails with ENOSYS).\n"
		"BPFBATCH_SIM_KERNEL=X.Y is set in CMD's environment.\n");
}

int cmd_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL;
	unsigned major, minor;
	char ver[32];
	int c, r;

	optind = 1;
	/* '+': stop at CMD so its own options are left alone. */
	while ((c = getopt_long(argc, argv, "+k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kernel = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!kernel) {
		fprintf(stderr, "bpfbatch sim: --kernel X.Y is required\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (sim_parse_version(kernel, &major, &minor) < 0) {
		fprintf(stderr, "bpfbatch sim: invalid kernel version '%s' (want X.Y or X.Y.Z)\n",
			kernel);
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "bpfbatch sim: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}

	snprintf(ver, sizeof(ver), "%u.%u", major, minor);
	if (setenv("BPFBATCH_SIM_KERNEL", ver, 1) < 0) {
		fprintf(stderr, "bpfbatch sim: setenv: %s\n", strerror(errno));
		return 1;
	}
	r = sim_install(major, minor);
	if (r < 0) {
		fprintf(stderr, "bpfbatch sim: cannot install the seccomp filter: %s\n",
			strerror(-r));
		return 1;
	}
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "bpfbatch sim: cannot execute '%s': %s\n", argv[optind],
		strerror(errno));
	return EXIT_NOEXEC;
}
