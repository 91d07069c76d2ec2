/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The static client's modes, each in a file named for what it tests;
 * static_client.c maps mode names to them. */
#ifndef CLIENT_MODES_H
#define CLIENT_MODES_H

#include <stdint.h>

/* client_basic.c: "basic" and "efault" (a hash map, then an array) */
void basic_both(int argc, char **argv);
void efault_both(int argc, char **argv);
/* One map's batch calls, printed; the fork mode's child runs it too. */
void basic(uint32_t type);
/* Keys 0..n-1 of @type (hash keys spread out) by one UPDATE_BATCH. */
long basic_fill(uint32_t type, int fd, uint32_t n, uint32_t *count);
/* A whole walk with @cmd, @bs0 per call, printed as a digest. */
void basic_walk(uint32_t type, int fd, int cmd, const uint32_t bs0, const char *tag);
/* client_types.c: "token", "devmap" */
void token(void);
void devmap_prog(void);
/* client_procs.c: "threads", "fork", "forkexec", "die" */
void threads(void);
void forked(void);
void forkexec(void);
void die(void);
void retry_modes(void);     /* client_retry.c: "retry" */
void drain_modes(void);     /* client_retry.c: "drain" */
void writeback_modes(void); /* client_retry.c: "writeback" */
/* client_fds.c: argv[0] "foreign" or "foreign-child", then its arguments */
void foreign_fds(int argc, char **argv);

#endif
