/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch sim --kernel X.Y[.Z] [--] CMD [ARGS...]
 * Run CMD with bpf(2) restricted to the commands kernel X.Y knows.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "common/spawn.h"
#include "sim/sim.h"
#include "sim/sim_notify.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfbatch sim --kernel X.Y[.Z] [--] CMD [ARGS...]\n"
		"Run CMD as if on Linux X.Y: bpf(2) commands newer than X.Y fail\n"
		"with EINVAL (before 3.18, bpf() fails with ENOSYS); commands X.Y knows\n"
		"but not for every map type or argument answer as X.Y does (a small\n"
		"supervisor serves those, so CMD cannot run its own seccomp listener;\n"
		"--cmds-only leaves them to this kernel and needs no supervisor).\n"
		"pidfd_open, pidfd_getfd, PIDFD_THREAD and the seccomp flag\n"
		"WAIT_KILLABLE_RECV fail as on X.Y where X.Y lacks them.\n"
		"BPFBATCH_SIM_KERNEL=X.Y is set in CMD's environment.\n");
}

struct version {
	unsigned int major, minor;
};

/* spawn_opts.setup: the filter, and its listener to hand over. */
static int install(void *arg, int *listener)
{
	const struct version *v = arg;

	return sim_install_faithful(v->major, v->minor, listener);
}

/* The child installs the filter, hands its listener over, and execs CMD;
 * the parent serves the listener until nobody is left under the filter. */
static int run_served(unsigned major, unsigned minor, char **cmd)
{
	struct version v = { major, minor };
	struct spawn_opts so = { .argv = cmd, .setup = install, .arg = &v };
	struct spawn sp;
	int listener, r;

	r = spawn_start(&sp, &so);
	if (r < 0) {
		fprintf(stderr, "bpfbatch sim: cannot start '%s': %s\n", cmd[0], strerror(-r));
		return 1;
	}
	/* The terminal's ^C reaches CMD too; we leave when it is gone. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	r = spawn_finish(&sp, &listener);
	if (r < 0 && sp.stage == SPAWN_EXEC) {
		fprintf(stderr, "bpfbatch sim: cannot execute '%s': %s\n", cmd[0], strerror(-r));
		return EXIT_NOEXEC;
	}
	if (r < 0) {
		fprintf(stderr, "bpfbatch sim: cannot install the seccomp filter: %s\n",
			strerror(-r));
		return 1;
	}
	sim_notify_serve(listener, major, minor);
	close(listener);
	return spawn_wait(&sp);
}

int cmd_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "cmds-only", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL;
	bool cmds_only = false;
	unsigned major, minor;
	char ver[32];
	int c, r;

	optind = 1;
	/* '+': stop at CMD so its own options are left alone. */
	while ((c = getopt_long(argc, argv, "+k:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cmds_only = true;
			break;
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
	if (cmds_only || !sim_notify_needed(major, minor)) {
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
	return run_served(major, minor, argv + optind);
}
