/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A statically linked batch client: raw syscall(__NR_bpf, ...), no libbpf, no
 * shim, so LD_PRELOAD cannot reach it and only the supervisor can serve it.
 * Each mode prints one line per observation, in a form that does not depend
 * on how the kernel chunks hash buckets, so the output of a native run and a
 * supervised run on a simulated old kernel can be compared as text.
 *
 * Modes: basic | efault (client_basic.c), threads | fork | forkexec | die
 * (client_procs.c), token | devmap (client_types.c), retry | drain |
 * writeback (client_retry.c), foreign (client_fds.c); this file names them.
 */
#include <stdio.h>
#include <string.h>

#include "client_modes.h"
#include "client_util.h"

/* Modes without arguments, as modes with. */
#define NOARGS(f)                                     \
	static void f##_mode(int argc, char **argv) \
	{                                             \
		f();                                  \
	}
NOARGS(threads)
NOARGS(forked)
NOARGS(forkexec)
NOARGS(die)
NOARGS(token)
NOARGS(devmap_prog)
NOARGS(retry_modes)
NOARGS(drain_modes)
NOARGS(writeback_modes)

static const struct {
	const char *name;
	void (*run)(int argc, char **argv); /* argv[0]: the mode */
} modes[] = {
	{ "basic", basic_both },	      { "efault", efault_both },
	{ "threads", threads_mode },	      { "fork", forked_mode },
	{ "forkexec", forkexec_mode },	      { "die", die_mode },
	{ "token", token_mode },	      { "devmap", devmap_prog_mode },
	{ "retry", retry_modes_mode },	      { "drain", drain_modes_mode },
	{ "writeback", writeback_modes_mode }, { "foreign", foreign_fds },
	{ "foreign-child", foreign_fds },
};

int main(int argc, char **argv)
{
	char *basic_mode[] = { "basic", NULL };
	char **args = argc > 1 ? argv + 1 : basic_mode;
	int nargs = argc > 1 ? argc - 1 : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(args[0], modes[i].name))
			continue;
		modes[i].run(nargs, args);
		return 0;
	}
	fprintf(stderr, "usage: static-client MODE [ARGS...]; modes:");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, " %s", modes[i].name);
	fprintf(stderr, "\n");
	return 2;
}
