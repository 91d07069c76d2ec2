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

#include "common/filter.h"
#include "sim/sim.h"
#include "sim/sim_notify.h"

#define KV(maj, min) ((maj) * 1000u + (min))

/* Linux version that introduced each bpf command (semantics.md §7). */
static const unsigned cmd_since[SIM_NCMDS] = {
	[0] = KV(3, 18),  [1] = KV(3, 18),  [2] = KV(3, 18),  [3] = KV(3, 18),
	[4] = KV(3, 18),  [5] = KV(3, 18),  [6] = KV(4, 4),   [7] = KV(4, 4),
	[8] = KV(4, 10),  [9] = KV(4, 10),  [10] = KV(4, 12), [11] = KV(4, 13),
	[12] = KV(4, 13), [13] = KV(4, 13), [14] = KV(4, 13), [15] = KV(4, 13),
	[16] = KV(4, 15), [17] = KV(4, 17), [18] = KV(4, 18), [19] = KV(4, 18),
	[20] = KV(4, 18), [21] = KV(4, 20), [22] = KV(5, 2),  [23] = KV(5, 4),
	[24] = KV(5, 6),  [25] = KV(5, 6),  [26] = KV(5, 6),  [27] = KV(5, 6),
	[28] = KV(5, 7),  [29] = KV(5, 7),  [30] = KV(5, 8),  [31] = KV(5, 8),
	[32] = KV(5, 8),  [33] = KV(5, 8),  [34] = KV(5, 9),  [35] = KV(5, 10),
	[36] = KV(6, 9),  [37] = KV(6, 17),
};

int sim_first_unknown_cmd(unsigned major, unsigned minor)
{
	unsigned v;
	int cmd;

	/* Beyond what KV() can encode: newer than anything in the table. */
	if (major >= 100000u || minor >= 1000u)
		return SIM_NCMDS;
	v = KV(major, minor);
	/* The table only grows with the version, so the first miss is the
	 * boundary. */
	for (cmd = 0; cmd < SIM_NCMDS; cmd++)
		if (cmd_since[cmd] > v)
			return cmd;
	return SIM_NCMDS;
}

/* One decimal component: 1..4 digits, no sign, no spaces. */
static const char *parse_part(const char *s, unsigned *out)
{
	unsigned v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		if (++n > 4)
			return NULL;
		v = v * 10 + (unsigned)(*s++ - '0');
	}
	if (n == 0)
		return NULL;
	*out = v;
	return s;
}

int sim_parse_version(const char *s, unsigned *major, unsigned *minor)
{
	unsigned maj, min, patch;

	if (!s)
		return -EINVAL;
	s = parse_part(s, &maj);
	if (!s || *s++ != '.')
		return -EINVAL;
	s = parse_part(s, &min);
	if (!s || min >= 1000)
		return -EINVAL;
	if (*s == '.') {
		s = parse_part(s + 1, &patch);
		if (!s)
			return -EINVAL;
	}
	if (*s != '\0' || maj == 0)
		return -EINVAL;
	*major = maj;
	*minor = min;
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
