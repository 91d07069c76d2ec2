/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The test client's helpers beyond the raw calls of client_bpf.h (used by
 * static_client.c and the mode files next to it): no libbpf, no shim.
 * Built static (only the supervisor reaches it) and dynamic (so the
 * preloaded shim can be asked the same questions).
 */
#ifndef CLIENT_UTIL_H
#define CLIENT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "client_bpf.h" /* sys_bpf(), batch(), p2u() */

/* A map of @type with 4-byte keys and 8-byte values; exits on failure. */
int map_create(uint32_t type, uint32_t max);

/* A program that returns 2 (XDP_PASS), of @type for @attach; fd or -errno. */
int load_prog(uint32_t type, uint32_t attach);

/* A buffer whose byte @readable is the first of a PROT_NONE page. */
void *guarded(size_t readable);

/* A buffer whose byte @writable is the first of a read-only page. */
void *write_guarded(size_t writable);

/* Elements in the map (GET_NEXT_KEY + LOOKUP_ELEM), @ks-byte keys. */
uint32_t map_size(int fd, uint32_t ks);

/* Modes in files of their own; static_client.c names them. */
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
