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

/* The path a call took, for BPFBATCH_LOG: "native" (the kernel's batch
 * command answered), "emulated" (the core answered) or "kernel" (the core
 * was asked but does not serve the map type, so the kernel's answer stands). */
struct route {
	const char *path;
	const char *why;
};

static long native(int cmd, void *uattr, unsigned int size)
{
	long r = bb_raw_bpf(cmd, uattr, size);

	bb_stat_add(BB_STAT_NATIVE_CALLS, 1);
	return r;
}

/* Emulate; where the core does not serve the type, the kernel's answer stands. */
static long emulate(int cmd, void *uattr, unsigned int size, const char *why,
		    struct route *rt)
{
	long r = bb_emu_batch(cmd, uattr, size);

	*rt = (struct route){ "emulated", why };
	if (r != BB_NOT_EMULATED)
		return r;
	rt->path = "kernel";
	return native(cmd, uattr, size);
}

/* The same, with the attr and map facts already read (c prepared). */
static long emulate_prepared(struct bb_emu_call *c, const char *why, struct route *rt)
{
	long r = bb_emu_run(c);

	*rt = (struct route){ "emulated", why };
	if (r != BB_NOT_EMULATED)
		return r;
	rt->path = "kernel";
	return native(c->cmd, c->uattr, c->size);
}

static long dispatch(int cmd, void *uattr, unsigned int size, struct route *rt)
{
	enum bb_mode mode = bb_state_mode();
	struct bb_emu_call c;
	bool prepared = false;
	long r;

	if (mode == BB_MODE_NATIVE) {
		*rt = (struct route){ "native", "BPFBATCH_MODE=native" };
		return native(cmd, uattr, size);
	}
	if (mode == BB_MODE_EMULATE)
		return emulate(cmd, uattr, size, "BPFBATCH_MODE=emulate", rt);
	if (!bb_dispatch_kernel_has_batch())
		return emulate(cmd, uattr, size, "kernel lacks batch commands", rt);

	/* Skipping a refusal already seen for this type matters for
	 * map-in-map: the kernel runs synchronize_rcu() even when it refuses. */
	if (bb_any_type_unsupported()) {
		prepared = bb_emu_prepare(&c, cmd, uattr, size) == 0;
		if (prepared && bb_type_unsupported(c.m.info.type, cmd))
			return emulate_prepared(&c, "kernel refused this map type before", rt);
	}

	r = native(cmd, uattr, size);
	*rt = (struct route){ "native", "kernel has batch commands" };
	if (!refused_type(r))
		return r;
	/* The kernel refused before reading anything but the fd, and wrote
	 * nothing: what was read before the call still holds. */
	if (!prepared && bb_emu_prepare(&c, cmd, uattr, size)) {
		*rt = (struct route){ "kernel", "kernel refused this map type, not emulable" };
		return r;
	}
	bb_type_mark_unsupported(c.m.info.type, cmd);
	return emulate_prepared(&c, "kernel refused this map type", rt);
}

/* One log line per call, whichever path it took. */
long bb_dispatch_batch(int cmd, void *uattr, unsigned int size)
{
	struct route rt;
	long r = dispatch(cmd, uattr, size, &rt);

	if (bb_log_enabled())
		bb_log("%s: %s (%s) -> %ld", cmd_names[cmd - BB_MAP_LOOKUP_BATCH], rt.path, rt.why,
		       r);
	return r;
}
