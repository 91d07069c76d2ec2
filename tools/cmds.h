/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Subcommands of the bpfbatch tool. Each takes argv starting at its own
 * name and returns the process exit status.
 */
#ifndef BPFBATCH_CMDS_H
#define BPFBATCH_CMDS_H

/* Exit statuses shared by all subcommands. */
#define EXIT_USAGE 2      /* bad command line */
#define EXIT_NOEXEC 127   /* the command to run could not be executed */

int cmd_run(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
