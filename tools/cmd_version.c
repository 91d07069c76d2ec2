/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <stdio.h>

#include "cmds.h"

#ifndef BPFBATCH_VERSION
#define BPFBATCH_VERSION "unknown"
#endif

int cmd_version(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "bpfbatch %s: takes no arguments\n", argv[0]);
		return EXIT_USAGE;
	}
	printf("bpfbatch %s\n", BPFBATCH_VERSION);
	return 0;
}
