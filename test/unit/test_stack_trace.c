/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Stack traces, which no kernel batches, read and cleared in one pass as a
 * profiler does: a raw-tracepoint program run with BPF_PROG_TEST_RUN calls
 * bpf_get_stackid() from several user-space call depths, so the map holds
 * real traces. The emulated LOOKUP_AND_DELETE_BATCH must return each one
 * exactly once, byte for byte as LOOKUP_ELEM gives it, and leave the map
 * empty. (Built with frame pointers: the user stacks differ by depth.)
 */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <unistd.h>

#include "bpfbatch.h"

#define DEPTH 127
#define ENTRIES 64

static int prog_fd;

static int load_prog(int map_fd, __u64 flags)
{
	struct bpf_insn insns[] = {
		/* r2 = map (ld_imm64, pseudo map fd) */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{ 0 },
		/* r3 = flags; r0 = bpf_get_stackid(ctx, map, flags); return 0 */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = (__s32)flags },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_stackid },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL, "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), NULL);

	if (fd < 0)
		cr_skip_test("cannot load a raw tracepoint program here: %s", strerror(errno));
	return fd;
}

static __attribute__((noinline)) void run_at_depth(int depth)
{
	__u64 args[1] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));

	if (depth > 0) {
		run_at_depth(depth - 1);
		__asm__ volatile("" ::: "memory"); /* keep the frame */
		return;
	}
	cr_assert_eq(bpf_prog_test_run_opts(prog_fd, &o), 0, "test run: %s", strerror(errno));
}

Test(stack_trace, lookup_and_delete_reads_and_clears_real_traces, .timeout = 60)
{
	int map = bpf_map_create(BPF_MAP_TYPE_STACK_TRACE, NULL, 4, DEPTH * 8, ENTRIES, NULL);
	static __u64 want[ENTRIES][DEPTH], got[ENTRIES][DEPTH];
	__u32 ids[ENTRIES], key, next, n = 0, cnt, out, in;
	unsigned char seen[ENTRIES] = { 0 };
	bool have = false;
	int r, calls = 0;

	cr_assert_geq(map, 0);
	prog_fd = load_prog(map, BPF_F_USER_STACK);
	for (int d = 0; d < 8; d++)
		run_at_depth(d);
	close(prog_fd);
	prog_fd = load_prog(map, 0); /* and one kernel stack */
	run_at_depth(0);
	close(prog_fd);

	/* The reference: single-element commands. */
	for (r = bpf_map_get_next_key(map, NULL, &key); !r; key = next) {
		cr_assert_lt(key, ENTRIES);
		cr_assert_eq(bpf_map_lookup_elem(map, &key, want[key]), 0);
		seen[key] = 1;
		n++;
		r = bpf_map_get_next_key(map, &key, &next);
	}
	cr_assert_geq(n, 2, "distinct traces recorded: %u", n);
	cr_log_info("%u distinct traces", n);

	do {
		cnt = 3;
		r = bpfbatch_map_lookup_and_delete_batch(map, have ? &in : NULL, &out, ids, got, &cnt,
							 NULL);
		cr_assert(r == 0 || r == -ENOENT, "lookup_and_delete: %d", r);
		for (__u32 i = 0; i < cnt; i++) {
			cr_assert_lt(ids[i], ENTRIES);
			cr_assert_eq(seen[ids[i]], 1, "stack %u returned twice or unknown", ids[i]);
			cr_assert_arr_eq(got[i], want[ids[i]], sizeof(want[0]), "stack %u", ids[i]);
			seen[ids[i]] = 2;
		}
		in = out;
		have = true;
		cr_assert_lt(++calls, 100);
	} while (r == 0);
	for (__u32 i = 0; i < ENTRIES; i++)
		cr_assert_neq(seen[i], 1, "stack %u never returned", i);
	cr_assert_eq(bpf_map_get_next_key(map, NULL, &key), -ENOENT, "the map is empty");
	close(map);
}
