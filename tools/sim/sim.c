/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the filter can and cannot imitate: it sees only the syscall's
 * registers, so it reproduces the verdicts that depend on the command number
 * (EINVAL for an unknown command, ENOSYS before bpf() existed) and on which
 * syscalls and flags exist (pidfd_open, pidfd_getfd, PIDFD_THREAD,
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: the ones the supervisor and the
 * shim take another path without). Checks an old kernel makes before looking
 * at the command (attr size, attr copy-in) are the host kernel's for the
 * commands that pass, and are skipped for the ones the filter rejects.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/kversion.h"
#include "common/filter.h"
#include "common/linux_abi.h"
#include "sim/sim.h"
#include "sim/sim_features.h"
#include "sim/sim_notify.h"

int sim_first_unknown_cmd(unsigned major, unsigned minor)
{
	uint32_t v;
	int cmd;

	/* Beyond what BB_KV() can encode: newer than anything in the table. */
	if (major > 0xffffu || minor > 0xffffu)
		return SIM_NCMDS;
	v = BB_KV(major, minor);
	/* Commands only accumulate with the version, so the first miss is the
	 * boundary. */
	for (cmd = 0; cmd < SIM_NCMDS; cmd++)
		if (!bb_kv_has(v, BB_KF_CMD(cmd)))
			return cmd;
	return SIM_NCMDS;
}

int sim_parse_version(const char *s, unsigned *major, unsigned *minor)
{
	uint32_t v;

	if (bb_kv_parse(s, &v) < 0)
		return -EINVAL;
	*major = BB_KV_MAJOR(v);
	*minor = BB_KV_MINOR(v);
	return 0;
}

/*
 * EINVAL for every cmd whose low 32 bits are in [lo, hi). A range compare
 * would see the upper half of the register (see filter_bpf_cmd()), so cover
 * the range with aligned power-of-two blocks, each a masked-equality test on
 * the low 32 bits (at most 64 rules).
 */
static int add_cmd_range(scmp_filter_ctx ctx, uint64_t lo, uint64_t hi)
{
	uint64_t v = lo, size;
	int r;

	while (v < hi) {
		size = v ? v & -v : 1ull << 32;
		while (v + size > hi)
			size >>= 1;
		r = filter_bpf_cmd(ctx, SCMP_ACT_ERRNO(EINVAL), (uint32_t)~(size - 1),
				   (uint32_t)v);
		if (r < 0)
			return r;
		v += size;
	}
	return 0;
}

/* Every command from @first on; with @except_batch, not 24..27. */
static int add_unknown_cmd_rules(scmp_filter_ctx ctx, uint32_t first, bool except_batch)
{
	uint64_t lo = BB_MAP_LOOKUP_BATCH, hi = BB_MAP_DELETE_BATCH + 1;
	int r;

	if (!except_batch || first >= hi)
		return add_cmd_range(ctx, first, 1ull << 32);
	r = add_cmd_range(ctx, first, lo > first ? lo : first);
	return r ? r : add_cmd_range(ctx, hi, 1ull << 32);
}

int sim_add_rules(scmp_filter_ctx ctx, unsigned major, unsigned minor, bool except_batch)
{
	int first = sim_first_unknown_cmd(major, minor), r;

	if (first == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(bpf), 0);
	else
		r = add_unknown_cmd_rules(ctx, (uint32_t)first, except_batch);
	return r ? r : sim_feature_rules(ctx, BB_KV(major, minor));
}

int sim_install(unsigned major, unsigned minor)
{
	return sim_install_faithful(major, minor, NULL);
}

static int load_no_perf(bool nnp)
{
	scmp_filter_ctx ctx;
	int r = filter_new(&ctx);

	if (r < 0)
		return r;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, nnp);
	if (!r)
		r = sim_no_perf_rules(ctx);
	if (!r)
		r = filter_load(ctx);
	seccomp_release(ctx);
	return r;
}

int sim_install_no_perf(void)
{
	/* Without no_new_privs where we may: what we start keeps set-uid. */
	int r = load_no_perf(false);

	return r == -EACCES ? load_no_perf(true) : r;
}

int sim_install_faithful(unsigned major, unsigned minor, int *listener)
{
	uint32_t v = BB_KV(major, minor);
	scmp_filter_ctx ctx;
	int r, notify = 0;

	r = filter_new(&ctx);
	if (r < 0)
		return r;
	r = sim_add_rules(ctx, major, minor, false);
	if (r < 0)
		goto out;
	if (listener) {
		*listener = -1;
		notify = r = sim_notify_add_rules(ctx, v, false);
		if (r < 0)
			goto out;
	}
	if (notify > 0) {
		/* A call interrupted before its answer is judged again when it
		 * restarts: the simulator needs no killable waits, which would
		 * change how the target's signals land. */
		r = *listener = filter_load_listener(ctx, false, NULL);
	} else {
		r = filter_load(ctx);
	}
out:
	seccomp_release(ctx);
	return r < 0 ? r : 0;
}
