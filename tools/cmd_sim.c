/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch sim --kernel X.Y[.Z] [--] CMD [ARGS...]
 * Run CMD with bpf(2) restricted to the commands kernel X.Y knows.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "common/listener.h"
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
		"BPFBATCH_SIM_KERNEL=X.Y is set in CMD's environment.\n");
}

/* The child installs the filter, hands its listener over, and execs CMD;
 * the parent serves the listener until nobody is left under the filter. */
static int run_served(unsigned major, unsigned minor, char **cmd)
{
	int sv[2], listener, status, r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("bpfbatch sim: socketpair");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("bpfbatch sim: fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		r = sim_install_faithful(major, minor, &listener);
		if (listener_send(sv[1], r < 0 ? -r : 0, listener) < 0 || r < 0)
			_exit(1);
		close(listener);
		execvp(cmd[0], cmd);
		fprintf(stderr, "bpfbatch sim: cannot execute '%s': %s\n", cmd[0],
			strerror(errno));
		_exit(EXIT_NOEXEC);
	}
	close(sv[1]);
	/* The terminal's ^C reaches CMD too; we leave when it is gone. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	listener = listener_recv(sv[0]);
	close(sv[0]);
	if (listener < 0) {
		fprintf(stderr, "bpfbatch sim: cannot install the seccomp filter: %s\n",
			strerror(-listener));
	} else {
		sim_notify_serve(listener, major, minor);
		close(listener);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return listener < 0 ? 1 : listener_exit_status(status);
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
