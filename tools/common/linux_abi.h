/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Kernel ABI the tools use that a distribution's headers may predate: each
 * value once, as the kernel defines it. Whether the running kernel has it is
 * asked of the kernel (or, for what cannot be asked, platform/kversion).
 */
#ifndef BPFBATCH_LINUX_ABI_H
#define BPFBATCH_LINUX_ABI_H

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
/* 6.9+: a pidfd naming one thread rather than its thread group. */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
/* 5.5+ */
#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif
/* 5.19+ */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#endif
