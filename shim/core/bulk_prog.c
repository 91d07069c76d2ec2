/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Instruction generation for the bulk path (bulk_prog.h has the packet and
 * the rules the code keeps). The program, for n elements:
 *
 *	r2 = data_end; r6 = data
 *	if r6 + size > r2 goto exit      packet shorter than the layout
 *	r8 = count; r9 = map
 *	element i:  r7 = i
 *	            if r8 == i goto done
 *	            ...helper calls on packet pointers r6 + off...
 *	            on failure: goto stop (r0 = -errno) or miss (lookups)
 *	r7 = n                           (lookups: goto done, then
 *	miss:  r0 = -ENOENT; goto stop    the miss block)
 *	done:  r0 = 0
 *	stop:  done = r7; err = r0
 *	exit:  return XDP_PASS
 *
 * r6..r9 are callee-saved across helper calls; r1..r5 are set before each
 * call. Lookups copy the value out of the map in 4-byte (then 2, 1) loads:
 * a map value pointer is 8-aligned and 4.12 wants loads aligned to their
 * size, and a load narrower than 8 bytes is refused by the verifier wherever
 * the value holds a special field (spin locks since 5.1, timers, kptrs,
 * which must be read as 8 bytes): such maps fail to load here rather than
 * have kernel-private words copied out as the syscall would never do.
 */
#include "core/bulk_prog.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "platform/raw.h"
#include "platform/stats.h"

/* Opcode parts (the eBPF instruction set, unchanged since 3.18). */
enum {
	C_LD = 0x00, C_LDX = 0x01, C_STX = 0x03, C_JMP = 0x05, C_ALU64 = 0x07,
	S_W = 0x00, S_H = 0x08, S_B = 0x10, S_DW = 0x18,
	M_IMM = 0x00, M_MEM = 0x60,
	SRC_K = 0x00, SRC_X = 0x08,
	OP_ADD = 0x00, OP_MOV = 0xb0,
	J_JA = 0x00, J_JEQ = 0x10, J_JGT = 0x20, J_JNE = 0x50, J_CALL = 0x80, J_EXIT = 0x90,
};
enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9 };
enum { FN_LOOKUP = 1, FN_UPDATE = 2, FN_DELETE = 3 }; /* helper ids, 3.18 */
#define PSEUDO_MAP_FD 1

struct gen {
	struct bb_insn *insn;
	uint32_t pc;
};

static void emit(struct gen *g, uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	g->insn[g->pc++] = (struct bb_insn){ code, (uint8_t)(dst | src << 4), off, imm };
}

static void mov_imm(struct gen *g, int dst, int32_t imm)
{
	emit(g, C_ALU64 | OP_MOV | SRC_K, dst, 0, 0, imm);
}

static void mov_reg(struct gen *g, int dst, int src)
{
	emit(g, C_ALU64 | OP_MOV | SRC_X, dst, src, 0, 0);
}

static void add_imm(struct gen *g, int dst, int32_t imm)
{
	emit(g, C_ALU64 | OP_ADD | SRC_K, dst, 0, 0, imm);
}

/* A forward jump to instruction @to. */
static void jump(struct gen *g, uint8_t op, int dst, int src, bool x, int32_t imm, uint32_t to)
{
	emit(g, C_JMP | op | (x ? SRC_X : SRC_K), dst, src, (int16_t)(to - g->pc - 1), imm);
}

static void call(struct gen *g, int32_t fn)
{
	emit(g, C_JMP | J_CALL, 0, 0, 0, fn);
}

/* r_dst = r6 + off: a packet pointer inside the checked range. */
static void pkt_ptr(struct gen *g, int dst, uint32_t off)
{
	mov_reg(g, dst, R6);
	add_imm(g, dst, (int32_t)off);
}

static uint32_t copy_insns(uint32_t vs)
{
	return 2 * (vs / 4 + (vs % 4) / 2 + vs % 2);
}

/* Copy the value r0 points to into the packet at @off, widest first so that
 * every load is aligned to its size. */
static void copy_value(struct gen *g, uint32_t vs, uint32_t off)
{
	static const struct { uint8_t size; uint32_t bytes; } w[] = { { S_W, 4 }, { S_H, 2 }, { S_B, 1 } };
	uint32_t at = 0;

	for (size_t k = 0; k < sizeof(w) / sizeof(w[0]); k++)
		for (; vs - at >= w[k].bytes; at += w[k].bytes) {
			emit(g, C_LDX | M_MEM | w[k].size, R1, R0, (int16_t)at, 0);
			emit(g, C_STX | M_MEM | w[k].size, R6, R1, (int16_t)(off + at), 0);
		}
}

static uint32_t per_element(enum bb_bulk_op op, uint32_t vs)
{
	switch (op) {
	case BB_BULK_UPDATE:
		return 10;
	case BB_BULK_DELETE:
		return 7;
	case BB_BULK_LOOKUP:
		return 7 + copy_insns(vs);
	default:
		return 12 + copy_insns(vs);
	}
}

static bool has_miss(enum bb_bulk_op op)
{
	return op == BB_BULK_LOOKUP || op == BB_BULK_LOOKUP_DELETE;
}

enum { PROLOGUE = 8, EPILOGUE = 6, MISS = 3 }; /* the miss block: lookups only */

int bb_bulk_layout(enum bb_bulk_op op, uint32_t ks, uint32_t vs, struct bb_bulk_layout *l)
{
	uint32_t elem = ks + (op == BB_BULK_DELETE ? 0 : vs);
	uint32_t fixed = PROLOGUE + EPILOGUE + (has_miss(op) ? MISS : 0);
	uint32_t n = BB_BULK_N_MAX, by_insns;

	if (!ks || !vs || elem > BB_BULK_PKT_MAX)
		return -E2BIG;
	if ((BB_BULK_PKT_MAX - BB_BULK_HDR_SIZE) / elem < n)
		n = (BB_BULK_PKT_MAX - BB_BULK_HDR_SIZE) / elem;
	by_insns = (BB_BULK_INSNS_MAX - fixed) / per_element(op, vs);
	if (by_insns < n)
		n = by_insns;
	if (n < BB_BULK_N_MIN)
		return -E2BIG;
	memset(l, 0, sizeof(*l));
	l->key_size = ks;
	l->value_size = vs;
	l->n = n;
	l->keys_off = BB_BULK_HDR_SIZE;
	l->size = BB_BULK_HDR_SIZE + n * ks;
	if (op != BB_BULK_DELETE) {
		l->values_off = l->size;
		l->size += n * vs;
	}
	l->insns = fixed + n * per_element(op, vs);
	return 0;
}

uint32_t bb_bulk_prog_gen(enum bb_bulk_op op, const struct bb_bulk_layout *l, int map_fd,
			  struct bb_insn *insns)
{
	const uint32_t end = PROLOGUE + l->n * per_element(op, l->value_size);
	const uint32_t miss = end + 2;
	const uint32_t done = end + 1 + (has_miss(op) ? MISS : 0), stop = done + 1, out = stop + 2;
	struct gen g = { insns, 0 };

	emit(&g, C_LDX | M_MEM | S_W, R2, R1, 4, 0); /* xdp_md.data_end */
	emit(&g, C_LDX | M_MEM | S_W, R6, R1, 0, 0); /* xdp_md.data */
	pkt_ptr(&g, R3, l->size);
	jump(&g, J_JGT, R3, R2, true, 0, out);
	emit(&g, C_LDX | M_MEM | S_W, R8, R6, BB_BULK_HDR_COUNT, 0);
	emit(&g, C_LD | M_IMM | S_DW, R9, PSEUDO_MAP_FD, 0, map_fd);
	emit(&g, 0, 0, 0, 0, 0);

	for (uint32_t i = 0; i < l->n; i++) {
		uint32_t koff = l->keys_off + i * l->key_size;
		uint32_t voff = l->values_off + i * l->value_size;

		mov_imm(&g, R7, (int32_t)i);
		jump(&g, J_JEQ, R8, 0, false, (int32_t)i, done);
		mov_reg(&g, R1, R9);
		pkt_ptr(&g, R2, koff);
		if (op == BB_BULK_UPDATE) {
			pkt_ptr(&g, R3, voff);
			mov_imm(&g, R4, 0); /* BPF_ANY: UPDATE_BATCH takes no other */
			call(&g, FN_UPDATE);
			jump(&g, J_JNE, R0, 0, false, 0, stop);
			continue;
		}
		if (op == BB_BULK_DELETE) {
			call(&g, FN_DELETE);
			jump(&g, J_JNE, R0, 0, false, 0, stop);
			continue;
		}
		call(&g, FN_LOOKUP);
		jump(&g, J_JEQ, R0, 0, false, 0, miss);
		copy_value(&g, l->value_size, voff);
		if (op == BB_BULK_LOOKUP_DELETE) {
			mov_reg(&g, R1, R9);
			pkt_ptr(&g, R2, koff);
			call(&g, FN_DELETE);
			jump(&g, J_JNE, R0, 0, false, 0, stop);
		}
	}
	mov_imm(&g, R7, (int32_t)l->n);
	if (has_miss(op)) {
		jump(&g, J_JA, 0, 0, false, 0, done);
		mov_imm(&g, R0, -ENOENT);
		jump(&g, J_JA, 0, 0, false, 0, stop);
	}
	mov_imm(&g, R0, 0);
	emit(&g, C_STX | M_MEM | S_W, R6, R7, BB_BULK_HDR_DONE, 0);
	emit(&g, C_STX | M_MEM | S_W, R6, R0, BB_BULK_HDR_ERR, 0);
	mov_imm(&g, R0, BB_XDP_PASS);
	emit(&g, C_JMP | J_EXIT, 0, 0, 0, 0);
	return g.pc;
}

static const char *const prog_names[BB_BULK_NOPS] = {
	"bpfbatch_upd", "bpfbatch_del", "bpfbatch_get", "bpfbatch_getdel",
};

long bb_bulk_prog_load(enum bb_bulk_op op, const struct bb_bulk_layout *l, int map_fd)
{
	static const char license[] = "Dual BSD/GPL";
	struct bb_prog_load_attr a;
	struct bb_insn *insns = malloc(l->insns * sizeof(*insns));
	long r;

	if (!insns)
		return -ENOMEM;
	memset(&a, 0, sizeof(a));
	a.prog_type = BB_PROG_TYPE_XDP;
	a.insn_cnt = bb_bulk_prog_gen(op, l, map_fd, insns);
	a.insns = (uint64_t)(uintptr_t)insns;
	a.license = (uint64_t)(uintptr_t)license;
	/* Named where the kernel knows names (4.15+), so that bpftool shows
	 * who loaded it; before, the name is a non-zero tail: E2BIG, or EINVAL
	 * where the union was already longer. Then again without. */
	memcpy(a.prog_name, prog_names[op], strlen(prog_names[op]));
	r = bb_raw_bpf(BB_PROG_LOAD, &a, sizeof(a));
	if (r == -E2BIG || r == -EINVAL)
		r = bb_raw_bpf(BB_PROG_LOAD, &a, BB_PROG_LOAD_ATTR_SIZE_4_12);
	free(insns);
	if (r >= 0)
		bb_stat_add(BB_STAT_BULK_LOADS, 1);
	return r;
}
