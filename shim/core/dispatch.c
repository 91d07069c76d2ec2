/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/dispatch.h"

#include <errno.h>

#include "core/emu.h"
#include "core/kprobe.h"
#include "platform/log.h"
#include "platform/raw.h"
#include "platform/state.h"
#include "platform/stats.h"
#include "platform/uapi.h"

#define WHY_REFUSED "kernel refused this map type"
#define WHY_REFUSED_BEFORE "kernel refused this map type before"

/* Why a call goes to the emulation without asking the kernel first; NULL
 * where the kernel is asked (BPFBATCH_MODE=native aside). */
static const char *emulate_first(enum bb_mode mode)
{
	if (mode == BB_MODE_EMULATE)
		return "BPFBATCH_MODE=emulate";
	if (!bb_kprobe_batch_cmds())
		return "kernel lacks batch commands";
	return NULL;
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
	const char *why;
	long r;

	if (mode == BB_MODE_NATIVE) {
		*rt = (struct route){ "native", "BPFBATCH_MODE=native" };
		return native(cmd, uattr, size);
	}
	why = emulate_first(mode);
	if (why)
		return emulate(cmd, uattr, size, why, rt);

	/* Skipping a refusal already seen for this type matters for
	 * map-in-map: the kernel runs synchronize_rcu() even when it refuses. */
	if (bb_any_type_unsupported()) {
		prepared = bb_emu_prepare(&c, cmd, uattr, size) == 0;
		if (prepared && bb_type_unsupported(c.m.info.type, cmd))
			return emulate_prepared(&c, WHY_REFUSED_BEFORE, rt);
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
	return emulate_prepared(&c, WHY_REFUSED, rt);
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

bool bb_dispatch_kernel_serves(uint32_t type, int cmd)
{
	return bb_kprobe_batch_cmds() && !bb_type_unsupported(type, cmd);
}

static struct bb_route kernel_route(long kernel, const char *why)
{
	return (struct bb_route){ kernel == 0 ? BB_PATH_NATIVE : BB_PATH_REFUSED, why };
}

struct bb_route bb_dispatch_route(uint32_t type, int cmd, long kernel)
{
	enum bb_mode mode = bb_state_mode();
	const char *why;

	if (mode == BB_MODE_NATIVE)
		return kernel_route(kernel, "BPFBATCH_MODE=native");
	why = emulate_first(mode);
	if (!why && bb_type_unsupported(type, cmd))
		why = WHY_REFUSED_BEFORE;
	if (!why && refused_type(kernel))
		why = WHY_REFUSED;
	if (!why)
		return kernel_route(kernel, "the kernel's own answer");
	switch (bb_emu_verdict(type, cmd)) {
	case BB_EMU_SERVES:
		return (struct bb_route){ BB_PATH_EMULATED, why };
	case BB_EMU_REFUSES:
		return (struct bb_route){ BB_PATH_REFUSED, why };
	default: /* a type the core does not know: the kernel's answer stands */
		return kernel_route(kernel, why);
	}
}
