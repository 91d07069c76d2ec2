/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/target_filter.h"

#include <errno.h>
#include <stdbool.h>

#include "common/filter.h"
#include "platform/uapi.h"
#include "platform/kversion.h"
#include "sim/sim.h"
#include "sim/sim_notify.h"

/* Keep set-uid semantics where allowed (CAP_SYS_ADMIN): the target should
 * behave as without us. Elsewhere the kernel insists on no_new_privs. */
static int set_nnp(scmp_filter_ctx ctx, bool nnp)
{
	return seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, nnp);
}

/* What kernel @kv answers from the registers; its seccomp rule comes first,
 * so that the listener below meets it (no killable waits before 5.19). */
static int load_sim(uint32_t kv, bool nnp)
{
	scmp_filter_ctx ctx;
	int r = filter_new(&ctx);

	if (r)
		return r;
	r = set_nnp(ctx, nnp);
	if (!r)
		r = sim_add_rules(ctx, BB_KV_MAJOR(kv), BB_KV_MINOR(kv), true);
	if (!r)
		r = filter_load(ctx);
	seccomp_release(ctx);
	return r;
}

/* The notify filter; the listener fd or -errno. */
static int load_listener(uint32_t kv, bool nnp, bool *killable)
{
	scmp_filter_ctx ctx;
	int r;

	/* Level 5: SCMP_ACT_NOTIFY and the notify fd (kernel 5.0+). */
	if (seccomp_api_get() < 5)
		return -EOPNOTSUPP;
	r = filter_new(&ctx);
	if (r)
		return r;
	r = set_nnp(ctx, nnp);
	/* 24..27 as one masked test. */
	if (!r)
		r = filter_bpf_cmd(ctx, SCMP_ACT_NOTIFY, 0xfffffffcU, BB_MAP_LOOKUP_BATCH);
	if (!r && kv) {
		r = sim_notify_add_rules(ctx, kv, true);
		r = r < 0 ? r : 0;
	}
	/*
	 * Once the supervisor has received a call, a signal to the target must
	 * not abandon it: the kernel would restart the syscall after the
	 * supervisor had served it. Where the kernel cannot prevent that
	 * (before 5.19), the supervisor answers restarted calls from what it
	 * did (supervisor/replay.h).
	 */
	if (!r)
		r = filter_load_listener(ctx, true, killable);
	seccomp_release(ctx);
	return r;
}

int tfl_install(uint32_t kv, int *listener)
{
	bool killable = false;
	int r = 0;

	if (kv) {
		r = load_sim(kv, false);
		if (r == -EACCES)
			r = load_sim(kv, true);
		if (r)
			return r;
	}
	r = load_listener(kv, false, &killable);
	if (r == -EACCES)
		r = load_listener(kv, true, &killable);
	if (r < 0)
		return r;
	*listener = r;
	return killable ? TFL_KILLABLE : 0;
}
