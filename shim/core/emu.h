/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The emulation core: the four batch commands as loops of single-element
 * commands, with the newest kernel's contract (semantics.md). Works on
 * pointers in its own address space; returns >= 0 or -errno, never touches
 * errno. Front ends (preload, C API, supervisor) translate.
 */
#ifndef BB_EMU_H
#define BB_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/attr.h"
#include "core/mapinfo.h"
#include "platform/stats.h"
#include "platform/uapi.h"

/* Positive results of the core that are not the command's own. */
#define BB_NOT_EMULATED 1 /* the core does not serve this map type: ask the kernel */
#define BB_CHECK_DONE 2   /* front-end checks answered the call (count == 0) */

struct bb_emu_call {
	int cmd;
	void *uattr;            /* caller's attr: the result count is written there */
	unsigned int size;      /* its size, as the caller passed it */
	struct bb_batch_attr a; /* what the kernel would have read from it */
	struct bb_map m;
};

/* Serving one batch command takes two steps, so that dispatch can learn the
 * map's type first and a front end that holds the attr can skip the first:
 * read the attr as the kernel does and fetch the map's facts
 * (-E2BIG/-EFAULT/-EINVAL, -EBADF for a bad fd) ... */
long bb_emu_prepare(struct bb_emu_call *c, int cmd, void *uattr, unsigned int size);
/* ... then check and serve the call. 0, -errno, or BB_NOT_EMULATED. */
long bb_emu_run(struct bb_emu_call *c);

/* What the core does with batch @cmd on a map of @type: serve it, refuse it
 * as the newest kernel does (524, after the fd and permission checks), or
 * leave it to the kernel (BB_NOT_EMULATED: a type it does not know). */
enum bb_emu_verdict { BB_EMU_SERVES, BB_EMU_REFUSES, BB_EMU_PASSES };
enum bb_emu_verdict bb_emu_verdict(uint32_t type, int cmd);

/* The kernel's front-end checks after the fd's (bpf_map_do_batch and the
 * command's own validation), in its order. Returns 0 (go on),
 * BB_CHECK_DONE, BB_NOT_EMULATED or -errno. Nothing of the caller's is
 * written. */
long bb_emu_check(struct bb_emu_call *c);

/* The commands proper, after the checks and after count := 0. */
long bb_emu_hash_lookup(struct bb_emu_call *c, bool do_delete); /* BB_FAM_HASH */
long bb_emu_trie_lookup(struct bb_emu_call *c, bool do_delete); /* BB_FAM_TRIE */
long bb_emu_array_lookup(struct bb_emu_call *c, bool do_delete);
long bb_emu_write(struct bb_emu_call *c, bool del); /* UPDATE_BATCH, DELETE_BATCH */

/* Copy one element's value out, and delete it if @del. -ENOENT: it vanished. */
long bb_emu_take(const struct bb_emu_call *c, const void *key, void *value, bool del);

/* Write the result count into the caller's attr: 0 or -EFAULT. Inline over
 * attr.c, so the command files that call it do not depend on emu.c, which
 * calls them. */
static inline int bb_emu_put_count(struct bb_emu_call *c, uint32_t n)
{
	bb_stat_add(BB_STAT_ELEMENTS, n);
	return bb_attr_put_count(c->uattr, n);
}

#endif
