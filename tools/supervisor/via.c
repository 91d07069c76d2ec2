/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/via.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/filter.h"
#include "platform/kversion.h"
#include "platform/uapi.h"
#include "supervisor/ptrace_regs.h"
#include "supervisor/ptrace_run.h"

int sup_via_parse(const char *s, enum sup_via *via)
{
	if (!strcmp(s, "auto"))
		*via = SUP_VIA_AUTO;
	else if (!strcmp(s, "notify"))
		*via = SUP_VIA_NOTIFY;
	else if (!strcmp(s, "ptrace"))
		*via = SUP_VIA_PTRACE;
	else
		return -EINVAL;
	return 0;
}

/* Can a child of ours get a listener? A filter cannot be taken back, so a
 * throw-away child tries. 0, or the kernel's -errno: EBUSY (a listener is
 * taken), EINVAL/ENOSYS/EOPNOTSUPP (no user notification). */
static int notify_probe(void)
{
	scmp_filter_ctx ctx;
	int st, r;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		r = seccomp_api_get() < 5 ? -EOPNOTSUPP : filter_new(&ctx);
		if (!r)
			r = filter_bpf_cmd(ctx, SCMP_ACT_NOTIFY, 0xfffffffcU, BB_MAP_LOOKUP_BATCH);
		if (!r)
			r = filter_load_listener(ctx, false, NULL);
		_exit(r < 0 ? (-r & 0xff) : 0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? -WEXITSTATUS(st) : -EIO;
}

static bool sim_has_notify(const struct sup_opts *o)
{
	return !o->simulate ||
	       bb_kv_has(BB_KV(o->sim_major, o->sim_minor), BB_KF_SECCOMP_USER_NOTIF);
}

static enum sup_via choose(const struct sup_opts *o)
{
	int r;

	if (!pr_supported())
		return SUP_VIA_NOTIFY;
	if (!sim_has_notify(o)) {
		if (o->verbose)
			fprintf(stderr, "bpfbatch run: kernel %u.%u has no seccomp user "
					"notification: ptrace\n", o->sim_major, o->sim_minor);
		return SUP_VIA_PTRACE;
	}
	r = notify_probe();
	if (r && o->verbose)
		fprintf(stderr, "bpfbatch run: %s: ptrace\n",
			r == -EBUSY ? "a seccomp listener is already taken"
				    : "no seccomp user notification");
	return r ? SUP_VIA_PTRACE : SUP_VIA_NOTIFY;
}

int sup_via_run(const struct sup_opts *o, enum sup_via via)
{
	if (via == SUP_VIA_AUTO)
		via = choose(o);
	if (via == SUP_VIA_PTRACE)
		return ptrace_run(o);
	if (!sim_has_notify(o)) {
		fprintf(stderr,
			"bpfbatch run: kernel %u.%u has no seccomp user notification (%u.%u+);\n"
			"--via ptrace (or no --via) serves it.\n",
			o->sim_major, o->sim_minor,
			BB_KV_MAJOR(bb_kfact_since(BB_KF_SECCOMP_USER_NOTIF)),
			BB_KV_MINOR(bb_kfact_since(BB_KF_SECCOMP_USER_NOTIF)));
		return SUP_EXIT_UNSUPPORTED;
	}
	return sup_run(o);
}
