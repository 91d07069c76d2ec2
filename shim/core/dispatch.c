/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/dispatch.h"

#include <errno.h>
#include <string.h>

#include "core/emu.h"
#include "platform/log.h"
#include "platform/raw.h"
#include "platform/state.h"
#include "platform/stats.h"
#include "platform/uapi.h"

/* A batch command on fd -1 is EBADF where the kernel knows the command and
 * EINVAL (unknown command) where it does not; anything else (a seccomp or LSM
 * policy) is taken as "no", so the emulation serves the call. */
int bb_dispatch_kernel_has_batch(void)
{
	enum bb_tri t = bb_feature_get(BB_FEAT_BATCH_CMDS);
	struct bb_batch_attr a;

	if (t != BB_TRI_UNKNOWN)
		return t == BB_TRI_YES;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)-1;
	bool yes = bb_raw_bpf(BB_MAP_LOOKUP_BATCH, &a, sizeof(a)) == -EBADF;
	bb_feature_set(BB_FEAT_BATCH_CMDS, yes);
	return yes;
}

static bool refused_type(long r)
{
	return r == -BB_ENOTSUPP || r == -EOPNOTSUPP;
}

static const char *const cmd_names[] = {
	"LOOKUP_BATCH", "LOOKUP_AND_DELETE_BATCH", "UPDATE_BATCH", "DELETE_BATCH",
};

static long native(int cmd, void *uattr, unsigned int size)
{
	long r = bb_raw_bpf(cmd, uattr, size);

	bb_stat_add(BB_STAT_NATIVE_CALLS, 1);
	return r;
}

static long log_emulated(int cmd, long r, const char *why)
{
	if (bb_log_enabled())
		bb_log("%s: %s (%s) -> %ld", cmd_names[cmd - BB_MAP_LOOKUP_BATCH],
		       r == BB_NOT_EMULATED ? "kernel" : "emulated", why,
		       r == BB_NOT_EMULATED ? 0L : r);
	return r;
}

/* Not read yet: the preload path reads the attr and the map's facts only
 * when the emulation or the refusal memory needs them. Positive, so it is
 * neither a result of bb_emu_prepare() nor an errno. */
#define UNREAD 1L

/* The attr and the map facts, read once per call: 0 or -errno. */
static long prepared(struct bb_emu_call *c, long *prep)
{
	if (*prep == UNREAD)
		*prep = bb_emu_prepare(c, c->cmd, c->uattr, c->size);
	return *prep;
}

/* Emulate; where the core does not serve the type, the kernel's answer stands. */
static long emulate(struct bb_emu_call *c, long *prep, const char *why)
{
	long r = prepared(c, prep);

	r = log_emulated(c->cmd, r ? r : bb_emu_run(c), why);
	return r == BB_NOT_EMULATED ? native(c->cmd, c->uattr, c->size) : r;
}

/* Inlined into both entries: the preload path keeps its cost. */
static inline __attribute__((always_inline)) long dispatch(struct bb_emu_call *c, long *prep)
{
	enum bb_mode mode = bb_state_mode();
	long r;

	if (mode == BB_MODE_NATIVE)
		return native(c->cmd, c->uattr, c->size);
	if (mode == BB_MODE_EMULATE)
		return emulate(c, prep, "BPFBATCH_MODE=emulate");
	if (!bb_dispatch_kernel_has_batch())
		return emulate(c, prep, "kernel lacks batch commands");

	/* Skipping a refusal already seen for this type matters for
	 * map-in-map: the kernel runs synchronize_rcu() even when it refuses. */
	if (bb_any_type_unsupported() && prepared(c, prep) == 0 &&
	    bb_type_unsupported(c->m.info.type, c->cmd))
		return emulate(c, prep, "kernel refused this map type before");

	r = native(c->cmd, c->uattr, c->size);
	if (!refused_type(r))
		return r;
	/* The kernel refused before reading anything but the fd, and wrote
	 * nothing: what was read before the call still holds. */
	if (prepared(c, prep))
		return r;
	bb_type_mark_unsupported(c->m.info.type, c->cmd);
	return emulate(c, prep, "kernel refused this map type");
}

long bb_dispatch_batch(int cmd, void *uattr, unsigned int size)
{
	struct bb_emu_call c; /* the rest is filled only if it is read */
	long prep = UNREAD;

	c.cmd = cmd;
	c.uattr = uattr;
	c.size = size;
	return dispatch(&c, &prep);
}

long bb_dispatch_prepared(struct bb_emu_call *c, long prep)
{
	return dispatch(c, &prep);
}
