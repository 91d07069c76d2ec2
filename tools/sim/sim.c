/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the filter can and cannot imitate: it sees only the syscall's
 * registers, so it reproduces the verdict that depends on the command number
 * (EINVAL for an unknown command, ENOSYS before bpf() existed). Checks an old
 * kernel makes before looking at the command (attr size, attr copy-in) are
 * the host kernel's for the commands that pass, and are skipped for the ones
 * the filter rejects.
 */
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/kversion.h"
#include "common/filter.h"
#include "sim/sim.h"
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
 * EINVAL for every cmd whose low 32 bits are >= first. A range compare would
 * see the upper half of the register (see filter_bpf_cmd()), so cover
 * [first, 2^32) with aligned power-of-two blocks, each a masked-equality
 * test on the low 32 bits (at most 32 rules).
 */
static int add_unknown_cmd_rules(scmp_filter_ctx ctx, uint32_t first)
{
	uint64_t v = first, size;
	int r;

	while (v < (1ull << 32)) {
		size = v & -v;
		r = filter_bpf_cmd(ctx, SCMP_ACT_ERRNO(EINVAL), (uint32_t)~(size - 1),
				   (uint32_t)v);
		if (r < 0)
			return r;
		v += size;
	}
	return 0;
}

int sim_install(unsigned major, unsigned minor)
{
	return sim_install_faithful(major, minor, NULL);
}

int sim_install_faithful(unsigned major, unsigned minor, int *listener)
{
	scmp_filter_ctx ctx;
	int first = sim_first_unknown_cmd(major, minor);
	int r, notify = 0;

	r = filter_new(&ctx);
	if (r < 0)
		return r;
	if (first == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(bpf), 0);
	else
		r = add_unknown_cmd_rules(ctx, (uint32_t)first);
	if (r < 0)
		goto out;
	if (listener) {
		*listener = -1;
		notify = r = sim_notify_add_rules(ctx, major, minor);
		if (r < 0)
			goto out;
	}
	if (notify > 0) {
		/* A call interrupted before its answer is judged again when it
		 * restarts: the simulator needs no killable waits, which would
		 * change how the target's signals land. */
		r = *listener = filter_load_listener(ctx, false);
	} else {
		r = filter_load(ctx);
	}
out:
	seccomp_release(ctx);
	return r < 0 ? r : 0;
}
