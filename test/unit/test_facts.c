/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The fact tables (core/maptypes.c, platform/kversion.c) against the rules
 * that make them one consistent source, and the dispatch rule that
 * `bpfbatch probe` reports.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "core/dispatch.h"
#include "core/kprobe.h"
#include "core/maptypes.h"
#include "platform/kversion.h"
#include "platform/uapi.h"

#define FOR_EACH_BATCH_CMD(c) for (int c = BB_MAP_LOOKUP_BATCH; c <= BB_MAP_DELETE_BATCH; c++)

Test(maptypes, every_type_named_once)
{
	cr_expect_null(bb_maptype_name(BB_MAP_TYPE_UNSPEC));
	cr_expect_null(bb_maptype_name(BB_MAP_TYPE_COUNT));
	for (uint32_t t = 1; t < BB_MAP_TYPE_COUNT; t++) {
		cr_assert_not_null(bb_maptype_name(t), "type %u", t);
		cr_expect_leq(bb_maptype_since(t), BB_KV_NEWEST, "%s", bb_maptype_name(t));
		for (uint32_t u = 1; u < t; u++)
			cr_expect_str_neq(bb_maptype_name(t), bb_maptype_name(u));
	}
}

/* Types newer than the table are the kernel's business. */
Test(maptypes, unknown_types_are_not_ours)
{
	uint32_t t = BB_MAP_TYPE_COUNT + 3;

	cr_expect_eq(bb_maptype_family(t), BB_FAM_NONE);
	cr_expect_not(bb_maptype_unbatchable(t));
	cr_expect_eq(bb_maptype_since(t), BB_KV_NEVER);
	FOR_EACH_BATCH_CMD(c)
	{
		cr_expect_not(bb_maptype_emulates(t, c));
		cr_expect_eq(bb_maptype_native_since(t, c), BB_KV_NEVER);
	}
}

Test(maptypes, tokens)
{
	cr_expect_eq(bb_maptype_token_size(BB_MAP_TYPE_HASH, 16), 4);
	cr_expect_eq(bb_maptype_token_size(BB_MAP_TYPE_CGROUP_STORAGE, 16), 4);
	cr_expect_eq(bb_maptype_token_size(BB_MAP_TYPE_LPM_TRIE, 8), 8);
	cr_expect_eq(bb_maptype_token_size(BB_MAP_TYPE_ARRAY, 4), 4);
}

/* Old kernels lean on the emulation for whatever the newest one batches,
 * and the emulation never runs element commands the syscall refuses. */
Test(maptypes, emulation_covers_the_newest_kernel)
{
	for (uint32_t t = 1; t < BB_MAP_TYPE_COUNT; t++) {
		bool lookup = !bb_maptype_refuses_elem(t, BB_MAP_LOOKUP_ELEM);
		bool del = !bb_maptype_refuses_elem(t, BB_MAP_DELETE_ELEM);

		FOR_EACH_BATCH_CMD(c)
		{
			if (bb_maptype_native_since(t, c) != BB_KV_NEVER) {
				cr_expect(bb_maptype_emulates(t, c), "%s cmd %d",
					  bb_maptype_name(t), c);
				cr_expect_geq(bb_maptype_native_since(t, c),
					      bb_kfact_since(BB_KF_CMD(c)));
			}
		}
		if (!lookup)
			cr_expect_not(bb_maptype_emulates(t, BB_MAP_LOOKUP_BATCH));
		if (!lookup || !del)
			cr_expect_not(bb_maptype_emulates(t, BB_MAP_LOOKUP_AND_DELETE_BATCH));
		if (bb_maptype_unbatchable(t))
			FOR_EACH_BATCH_CMD(c) cr_expect_not(bb_maptype_emulates(t, c));
	}
}

Test(maptypes, value_fds)
{
	struct bb_value_fd fd;

	cr_assert(bb_maptype_value_fd(BB_MAP_TYPE_HASH_OF_MAPS, 4, &fd));
	cr_expect_eq(fd.kind, BB_FD_MAP);
	cr_expect_eq(fd.offset, 0);
	/* DEVMAP: a bare ifindex, or {ifindex, prog fd} */
	cr_expect_not(bb_maptype_value_fd(BB_MAP_TYPE_DEVMAP, 4, &fd));
	cr_assert(bb_maptype_value_fd(BB_MAP_TYPE_DEVMAP, 8, &fd));
	cr_expect_eq(fd.kind, BB_FD_PROG);
	cr_expect_eq(fd.offset, 4);
	cr_expect(fd.positive_only);
	cr_expect_not(bb_maptype_value_fd(BB_MAP_TYPE_HASH, 8, &fd));
}

Test(kversion, every_fact_has_a_version)
{
	for (int f = BB_KF_CMD0; f < BB_KF_COUNT; f++) {
		cr_expect_neq(bb_kfact_since((enum bb_kfact)f), BB_KV_NEVER, "fact %d", f);
		cr_expect_leq(bb_kfact_since((enum bb_kfact)f), BB_KV_NEWEST, "fact %d", f);
	}
	cr_expect_eq(bb_kfact_since(BB_KF_NONE), BB_KV_NEVER);
}

/* The simulator takes the first command a kernel lacks as the boundary. */
Test(kversion, commands_in_order_of_arrival)
{
	for (int c = 1; c < BB_NCMDS; c++)
		cr_expect_geq(bb_kfact_since(BB_KF_CMD(c)), bb_kfact_since(BB_KF_CMD(c - 1)),
			      "cmd %d", c);
}

Test(kversion, encoding)
{
	uint32_t v;

	cr_assert_eq(bb_kv_parse("5.13.7", &v), 0);
	cr_expect_eq(v, BB_KV(5, 13));
	cr_expect_eq(BB_KV_MAJOR(v), 5);
	cr_expect_eq(BB_KV_MINOR(v), 13);
	cr_expect_lt(BB_KV(4, 20), BB_KV(5, 0));
	cr_expect_lt(BB_KV(5, 9), BB_KV(5, 10));
	cr_expect(bb_kv_has(BB_KV(5, 13), BB_KF_BATCH_LPM_TRIE));
	cr_expect_not(bb_kv_has(BB_KV(5, 12), BB_KF_BATCH_LPM_TRIE));
	cr_expect_eq(bb_kv_parse("5.13-rc1", &v), -EINVAL);
	cr_expect_neq(bb_kv_running(), 0);
}

/* What `bpfbatch probe` prints is this rule; BPFBATCH_MODE is unset here. */
Test(dispatch, route)
{
	struct bb_route r;

	if (!bb_kprobe_batch_cmds())
		cr_skip_test("this kernel has no batch commands");
	r = bb_dispatch_route(BB_MAP_TYPE_HASH, BB_MAP_LOOKUP_BATCH, 0);
	cr_expect_eq(r.path, BB_PATH_NATIVE);
	r = bb_dispatch_route(BB_MAP_TYPE_STACK_TRACE, BB_MAP_LOOKUP_BATCH, -BB_ENOTSUPP);
	cr_expect_eq(r.path, BB_PATH_EMULATED);
	cr_expect_str_eq(r.why, "kernel refused this map type");
	r = bb_dispatch_route(BB_MAP_TYPE_ARRAY, BB_MAP_DELETE_BATCH, -BB_ENOTSUPP);
	cr_expect_eq(r.path, BB_PATH_REFUSED);
	r = bb_dispatch_route(BB_MAP_TYPE_QUEUE, BB_MAP_LOOKUP_BATCH, -BB_ENOTSUPP);
	cr_expect_eq(r.path, BB_PATH_REFUSED);
	/* a type newer than the table: whatever the kernel says */
	r = bb_dispatch_route(BB_MAP_TYPE_COUNT + 1, BB_MAP_LOOKUP_BATCH, 0);
	cr_expect_eq(r.path, BB_PATH_NATIVE);
	r = bb_dispatch_route(BB_MAP_TYPE_COUNT + 1, BB_MAP_LOOKUP_BATCH, -BB_ENOTSUPP);
	cr_expect_eq(r.path, BB_PATH_REFUSED);
	cr_expect(bb_dispatch_kernel_serves(BB_MAP_TYPE_HASH, BB_MAP_LOOKUP_BATCH));
}
