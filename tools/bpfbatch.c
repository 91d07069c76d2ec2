/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch: one command, a table of subcommands. New subcommands (probe,
 * run, ...) add a row here and a cmd_<name>.c file.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"

struct subcmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcmd subcmds[] = {
	{ "probe", cmd_probe, "per map type: native, emulated or refused on this kernel" },
	{ "run", cmd_run, "run a command with batch commands served by a supervisor" },
	{ "sim", cmd_sim, "run a command as if on an older kernel (bpf commands)" },
	{ "version", cmd_version, "print the bpfbatch version" },
};

#define N_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: bpfbatch COMMAND [ARGS...]\n"
		   "       bpfbatch COMMAND --help\n\nCommands:\n");
	for (i = 0; i < N_SUBCMDS; i++)
		fprintf(f, "  %-10s %s\n", subcmds[i].name, subcmds[i].summary);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	for (i = 0; i < N_SUBCMDS; i++)
		if (!strcmp(argv[1], subcmds[i].name))
			return subcmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "bpfbatch: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
