/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "common/filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/linux_abi.h"

static int add_arches(scmp_filter_ctx ctx)
{
#if defined(__x86_64__)
	static const uint32_t arches[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
#elif defined(__aarch64__)
	static const uint32_t arches[] = { SCMP_ARCH_ARM };
#else
	static const uint32_t arches[] = { SCMP_ARCH_NATIVE };
#endif
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		int r = seccomp_arch_add(ctx, arches[i]);

		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

int filter_new(scmp_filter_ctx *ctx)
{
	int r;

	*ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!*ctx)
		return -ENOMEM;
	/* The kernel's errno (EBUSY, EACCES) rather than ECANCELED. */
	r = seccomp_attr_set(*ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (!r)
		r = add_arches(*ctx);
	if (r) {
		seccomp_release(*ctx);
		*ctx = NULL;
	}
	return r;
}

int filter_bpf_cmd(scmp_filter_ctx ctx, uint32_t action, uint32_t mask, uint32_t cmd)
{
	/* SCMP_A0_32() cannot do this: in libseccomp 2.5 it only truncates
	 * the datum, and a range or masked compare still sees the upper half
	 * of the register, which the kernel ignores. A 64-bit mask with the
	 * upper half clear compares the low 32 bits only. */
	return seccomp_rule_add(ctx, action, SCMP_SYS(bpf), 1,
				SCMP_A0(SCMP_CMP_MASKED_EQ, (scmp_datum_t)mask, (scmp_datum_t)cmd));
}

int filter_load(scmp_filter_ctx ctx)
{
	int r;

	errno = 0;
	r = seccomp_load(ctx);
	/* 2.5.4 reports EBUSY as ECANCELED or even EFAULT, with or without
	 * SYSRAWRC; the kernel's errno is still in errno. */
	if (r < 0 && errno)
		r = -errno;
	return r;
}

/*
 * libseccomp 2.5 cannot set WAIT_KILLABLE_RECV, so its program is exported
 * and loaded by hand (with no_new_privs as the filter asks). Returns the
 * listener, or -EINVAL where the kernel lacks the flag.
 */
static int load_wait_killable(scmp_filter_ctx ctx)
{
	struct sock_fprog prog;
	struct stat st;
	uint32_t nnp = 1;
	void *insns;
	int mfd, r;

	mfd = memfd_create("bpfbatch-filter", MFD_CLOEXEC);
	if (mfd < 0)
		return -EINVAL;
	if (seccomp_export_bpf(ctx, mfd) < 0 || fstat(mfd, &st) < 0 || st.st_size <= 0 ||
	    !(insns = malloc((size_t)st.st_size))) {
		close(mfd);
		return -EINVAL;
	}
	r = pread(mfd, insns, (size_t)st.st_size, 0) == st.st_size ? 0 : -EINVAL;
	close(mfd);
	if (!r && seccomp_attr_get(ctx, SCMP_FLTATR_CTL_NNP, &nnp) < 0)
		r = -EINVAL;
	if (!r && nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
	if (!r) {
		prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
		prog.filter = insns;
		r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				 SECCOMP_FILTER_FLAG_NEW_LISTENER |
					 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
				 &prog);
		if (r < 0)
			r = -errno;
	}
	free(insns);
	return r;
}

int filter_load_listener(scmp_filter_ctx ctx, bool wait_killable, bool *killable)
{
	int r;

	if (killable)
		*killable = false;
	if (wait_killable) {
		r = load_wait_killable(ctx);
		if (r != -EINVAL) {
			if (killable)
				*killable = r >= 0;
			return r;
		}
	}
	r = filter_load(ctx);
	return r ? r : seccomp_notify_fd(ctx);
}
