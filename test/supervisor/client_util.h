/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The test clients' helpers beyond the raw calls of client_bpf.h (used by
 * static_client.c and its mode files, client_modes.h, and by storm-client):
 * no libbpf, no shim.
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

#endif
