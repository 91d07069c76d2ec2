/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "sim/sim_notify.h"

#include <stdint.h>

#include "common/notify_loop.h"
#include "platform/kversion.h"
#include "sim/sim_judge.h"

int sim_notify_add_rules(scmp_filter_ctx ctx, uint32_t v, bool served)
{
	return sim_judged_rules(ctx, v, SCMP_ACT_NOTIFY, served);
}

int sim_notify_needed(unsigned major, unsigned minor)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int n;

	if (!ctx)
		return 0;
	n = sim_notify_add_rules(ctx, BB_KV(major, minor), false);
	seccomp_release(ctx);
	return n > 0;
}

long sim_notify_judge(const struct seccomp_notif *req, uint32_t v)
{
	return sim_judge((pid_t)req->pid, (int)(uint32_t)req->data.args[0], req->data.args[1],
			 (unsigned int)req->data.args[2], v);
}

/* notify_loop.serve: fail the call as that kernel would, or let it run. */
static long judge(void *arg, const struct seccomp_notif *req)
{
	long err = sim_notify_judge(req, *(const uint32_t *)arg);

	/* A simulator only filters: the call itself is the target's. */
	return err ? err : NOTIFY_CONTINUE;
}

int sim_notify_serve(int listener, unsigned major, unsigned minor)
{
	uint32_t v = BB_KV(major, minor);
	struct notify_loop l = { .listener = listener, .serve = judge, .arg = &v, .fd = -1 };
	int r = notify_loop_init(&l);

	if (r)
		return r;
	r = notify_loop_run(&l);
	notify_loop_free(&l);
	return r;
}
