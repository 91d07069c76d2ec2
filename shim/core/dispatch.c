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
static long emulate(struct bb_emu_call *c, long *prep, const char *why, struct route *rt)
{
	long r = prepared(c, prep);

	*rt = (struct route){ "emulated", why };
	r = r ? r : bb_emu_run(c);
	if (r != BB_NOT_EMULATED)
		return r;
	rt->path = "kernel";
	return native(c->cmd, c->uattr, c->size);
}

/* Inlined into both entries: the preload path keeps its cost. */
static inline __attribute__((always_inline)) long dispatch(struct bb_emu_call *c, long *prep,
							   struct route *rt)
{
	enum bb_mode mode = bb_state_mode();
	const char *why;
	long r;

	if (mode == BB_MODE_NATIVE) {
		*rt = (struct route){ "native", "BPFBATCH_MODE=native" };
		return native(c->cmd, c->uattr, c->size);
	}
	why = emulate_first(mode);
	if (why)
		return emulate(c, prep, why, rt);

	/* Skipping a refusal already seen for this type matters for
	 * map-in-map: the kernel runs synchronize_rcu() even when it refuses. */
	if (bb_any_type_unsupported() && prepared(c, prep) == 0 &&
	    bb_type_unsupported(c->m.info.type, c->cmd))
		return emulate(c, prep, WHY_REFUSED_BEFORE, rt);

	r = native(c->cmd, c->uattr, c->size);
	*rt = (struct route){ "native", "kernel has batch commands" };
	if (!refused_type(r))
		return r;
	/* The kernel refused before reading anything but the fd, and wrote
	 * nothing: what was read before the call still holds. */
	if (prepared(c, prep)) {
		*rt = (struct route){ "kernel", "kernel refused this map type, not emulable" };
		return r;
	}
	bb_type_mark_unsupported(c->m.info.type, c->cmd);
	return emulate(c, prep, WHY_REFUSED, rt);
}

/* One log line per call, whichever path it took. */
static long dispatch_logged(struct bb_emu_call *c, long *prep)
{
	struct route rt;
	long r = dispatch(c, prep, &rt);

	if (bb_log_enabled())
		bb_log("%s: %s (%s) -> %ld", cmd_names[c->cmd - BB_MAP_LOOKUP_BATCH], rt.path,
		       rt.why, r);
	return r;
}

long bb_dispatch_batch(int cmd, void *uattr, unsigned int size)
{
	struct bb_emu_call c; /* the rest is filled only if it is read */
	long prep = UNREAD;

	c.cmd = cmd;
	c.uattr = uattr;
	c.size = size;
	return dispatch_logged(&c, &prep);
}

long bb_dispatch_prepared(struct bb_emu_call *c, long prep)
{
	return dispatch_logged(c, &prep);
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
