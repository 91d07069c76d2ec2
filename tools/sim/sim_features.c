/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "sim/sim_features.h"

#include <errno.h>
#include <linux/seccomp.h>

#include "common/linux_abi.h"
#include "platform/kversion.h"

#ifndef SECCOMP_GET_NOTIF_SIZES
#define SECCOMP_GET_NOTIF_SIZES 3
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

/* Arguments are C ints: compare their low 32 bits only (see filter.h). */
#define LOW32(arg, mask, val) SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, (mask), (val))

static int no_syscall(scmp_filter_ctx ctx, int nr)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
}

/* seccomp(2) as before 5.0: no listener flag, no notification sizes. */
static int no_user_notif(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(seccomp), 2,
				 LOW32(0, 0xffffffffU, SECCOMP_SET_MODE_FILTER),
				 LOW32(1, SECCOMP_FILTER_FLAG_NEW_LISTENER,
				       SECCOMP_FILTER_FLAG_NEW_LISTENER));

	if (r)
		return r;
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(seccomp), 1,
				LOW32(0, 0xffffffffU, SECCOMP_GET_NOTIF_SIZES));
}

int sim_feature_rules(scmp_filter_ctx ctx, uint32_t v)
{
	int r = 0;

	if (!bb_kv_has(v, BB_KF_SECCOMP_USER_NOTIF))
		r = no_user_notif(ctx);
	if (!r && !bb_kv_has(v, BB_KF_PIDFD_OPEN))
		r = no_syscall(ctx, SCMP_SYS(pidfd_open));
	else if (!r && !bb_kv_has(v, BB_KF_PIDFD_THREAD))
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(pidfd_open), 1,
				     LOW32(1, PIDFD_THREAD, PIDFD_THREAD));
	if (!r && !bb_kv_has(v, BB_KF_PIDFD_GETFD))
		r = no_syscall(ctx, SCMP_SYS(pidfd_getfd));
	/* No killable wait for a listener's calls before 5.19 (the flag is
	 * EINVAL), so the supervisor takes the path those kernels force. */
	if (!r && !bb_kv_has(v, BB_KF_SECCOMP_WAIT_KILLABLE_RECV))
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(seccomp), 2,
				     LOW32(0, 0xffffffffU, SECCOMP_SET_MODE_FILTER),
				     LOW32(1, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
					   SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV));
	return r;
}

int sim_no_perf_rules(scmp_filter_ctx ctx)
{
	/* What perf_event_paranoid >= 2 without CAP_PERFMON answers for a
	 * tracepoint counter, and what a container runtime's profile without
	 * perf_event_open answers for anything. */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(perf_event_open), 0);
}
