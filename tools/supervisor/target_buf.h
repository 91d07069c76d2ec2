/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Local stand-ins for target buffers a command writes, that fault where the
 * target's would. A command served on local buffers would otherwise learn
 * of an unwritable target buffer only when its results are copied back,
 * after it has done its work: harmless for a lookup (tokens are values: a
 * retry replays the chunk), a loss for a lookup-and-delete. Given how much
 * of the target's buffer can be written (tm_writable), the stand-in is a
 * local buffer whose first byte past that prefix is the first byte of a
 * never-mapped page, so the core (or the kernel, on the native path) stops
 * at the same element, with the same answer, as in the target; the core's
 * own check before a delete (key_walk.c) then sees what the preloaded shim
 * sees in the target.
 */
#ifndef BPFBATCH_TARGET_BUF_H
#define BPFBATCH_TARGET_BUF_H

#include <stddef.h>

struct tb_mirror {
	unsigned char *local; /* the stand-in: @len bytes, only a prefix usable */
	void *map;            /* private: the mapping of a partial stand-in */
	size_t maplen;
};

/*
 * The stand-in for a @len-byte target buffer whose first @writable bytes can
 * be written: @plain itself (@len usable bytes of ours) where all can be,
 * @never (a never-mapped range) where none can, else a fresh mapping.
 * Returns 0 or -ENOMEM; tb_mirror_free() releases it.
 */
int tb_mirror_new(struct tb_mirror *m, unsigned char *plain, size_t len, size_t writable,
		  void *never);
void tb_mirror_free(struct tb_mirror *m);

#endif
