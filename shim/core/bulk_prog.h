/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The bulk path's programs: a straight-line XDP program per (map, operation)
 * that applies the map helpers to many elements per BPF_PROG_TEST_RUN. The
 * elements travel in the test packet, which comes back with the results:
 *
 *   offset 0   u32 count  in: elements to process (<= n)
 *   offset 4   u32 done   out: elements processed before the program stopped
 *   offset 8   s32 err    out: 0 (count reached) or the -errno of element
 *                         'done'; in: BB_BULK_NOT_RUN, which a run that did
 *                         not get past the bounds check leaves in place
 *   offset 16  key i      at keys_off + i * key_size
 *              value i    at values_off + i * value_size (ops with values)
 *
 * Every element stops the program at its first failure, as the kernel's
 * UPDATE_BATCH and DELETE_BATCH stop at theirs: an update or delete error is
 * that helper's return value, a lookup of a missing key (or a delete that
 * finds it gone) is -ENOENT.
 *
 * Only what 4.12 accepts (the first kernel with PROG_TEST_RUN): XDP (4.8),
 * direct packet access with one bounds check up front, packet pointers as
 * map helper keys and values (4.12's check_func_arg takes PTR_TO_PACKET for
 * ARG_PTR_TO_MAP_KEY/VALUE), conditional jumps JEQ/JNE/JGT only (JLT/JLE
 * are 4.14), forward jumps, at most BPF_MAXINSNS (4096) instructions, and
 * every branch that leaves the straight line ends at exit within a few
 * instructions, so no verifier of any age needs state pruning and the
 * pending-branch stack (1024 entries in 4.12) holds 2 per element.
 */
#ifndef BB_BULK_PROG_H
#define BB_BULK_PROG_H

#include <stdint.h>

#include "platform/uapi.h"

enum bb_bulk_op {
	BB_BULK_UPDATE,        /* update_elem(key_i, value_i, BPF_ANY) */
	BB_BULK_DELETE,        /* delete_elem(key_i) */
	BB_BULK_LOOKUP,        /* value_i = *lookup_elem(key_i) */
	BB_BULK_LOOKUP_DELETE, /* value_i = *lookup_elem(key_i); delete_elem(key_i) */
	BB_BULK_NOPS,
};

#define BB_BULK_HDR_COUNT 0
#define BB_BULK_HDR_DONE 4
#define BB_BULK_HDR_ERR 8
#define BB_BULK_HDR_SIZE 16
#define BB_BULK_NOT_RUN 1

/*
 * A packet of at most 3072 bytes: 4.12 takes PAGE_SIZE minus the 256-byte
 * XDP headroom; 5.8+ also keep the skb_shared_info tail room (320 bytes on
 * x86-64 with 17 frags); later kernels put what does not fit in frags, which
 * the program cannot see (it then stops at its bounds check, and the
 * self-test says no). 768 bytes of margin cover larger MAX_SKB_FRAGS.
 */
#define BB_BULK_PKT_MAX 3072
#define BB_BULK_INSNS_MAX 4096 /* BPF_MAXINSNS: the program size limit before 5.2 */
#define BB_BULK_N_MAX 256      /* 2 pending branches each: 4.12's stack holds 1024 */
#define BB_BULK_N_MIN 8        /* below this a program is not worth its load */

struct bb_bulk_layout {
	uint32_t key_size;
	uint32_t value_size;
	uint32_t n;          /* elements per run */
	uint32_t keys_off;
	uint32_t values_off; /* 0 for DELETE */
	uint32_t size;       /* bytes of the packet */
	uint32_t insns;      /* instructions of the program */
};

/* The layout for @op on a map of this shape: 0, or -E2BIG when fewer than
 * BB_BULK_N_MIN elements would fit. */
int bb_bulk_layout(enum bb_bulk_op op, uint32_t key_size, uint32_t value_size,
		   struct bb_bulk_layout *l);

/* Generate the program into @insns (room for l->insns); returns the number
 * of instructions. @map_fd is bound to it by the kernel at load. */
uint32_t bb_bulk_prog_gen(enum bb_bulk_op op, const struct bb_bulk_layout *l, int map_fd,
			  struct bb_insn *insns);

/* Generate and load. Returns the program fd, or the kernel's -errno
 * (EPERM without CAP_SYS_ADMIN/CAP_BPF, EINVAL/EACCES from the verifier). */
long bb_bulk_prog_load(enum bb_bulk_op op, const struct bb_bulk_layout *l, int map_fd);

#endif
