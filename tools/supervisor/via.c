/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/via.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/filter.h"
#include "common/linux_abi.h"
#include "platform/kversion.h"
#include "platform/state.h"
#include "platform/uapi.h"
#include "sim/sim.h"
#include "supervisor/ptrace_regs.h"
#include "supervisor/ptrace_run.h"
#include "supervisor/witness.h"

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

/* What the notify front end would get here. */
struct notify_facts {
	int listener; /* 0, or the kernel's -errno: EBUSY (taken), EINVAL/ENOSYS/
		       * EOPNOTSUPP (no user notification) */
	int killable; /* 1: the listener's waits are killable */
	int getfd;    /* 0: pidfd_getfd exists, or -ENOSYS */
	int witness;  /* 0, or witness_check()'s -errno */
	int ptrace;   /* 0: we may trace a child, or -errno (a profile refusing it) */
};

/* Can we trace a child of ours? A container runtime's profile may refuse
 * ptrace; then only user notification is left. */
static int trace_probe(void)
{
	int r = 0, st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
		r = -errno;
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return r;
}

/* The child's side: the supervisor's filters first, then each question.
 * A filter cannot be taken back, hence a child. */
static void probe_child(const struct sup_opts *o, struct notify_facts *f)
{
	scmp_filter_ctx ctx;
	bool killable = false;
	int r = 0;

	f->ptrace = pr_supported() ? trace_probe() : -EOPNOTSUPP;
	if (o->no_perf)
		r = sim_install_no_perf();
	if (!r && o->simulate)
		r = sim_install(o->sim_major, o->sim_minor);
	if (!r)
		r = seccomp_api_get() < 5 ? -EOPNOTSUPP : filter_new(&ctx);
	if (!r)
		r = filter_bpf_cmd(ctx, SCMP_ACT_NOTIFY, 0xfffffffcU, BB_MAP_LOOKUP_BATCH);
	if (!r)
		r = filter_load_listener(ctx, true, &killable);
	f->listener = r < 0 ? r : 0;
	f->killable = killable;
	/* An fd that cannot be: EBADF where the syscall exists. */
	f->getfd = syscall(SYS_pidfd_getfd, -1, 0, 0) < 0 && errno == ENOSYS ? -ENOSYS : 0;
	f->witness = witness_check();
}

static int probe(const struct sup_opts *o, struct notify_facts *f)
{
	int p[2], st;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[0]);
		probe_child(o, f);
		_exit(write(p[1], f, sizeof(*f)) == sizeof(*f) ? 0 : 1);
	}
	close(p[1]);
	do
		n = read(p[0], f, sizeof(*f));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return n == sizeof(*f) ? 0 : -EIO;
}

/* The kernel the supervisor behaves as: the simulated one, or this one (as
 * new as can be where it cannot be told). */
static uint32_t kernel_of(const struct sup_opts *o)
{
	uint32_t v = o->simulate ? BB_KV(o->sim_major, o->sim_minor) : bb_kv_running();

	return v ? v : BB_KV_NEVER;
}

static const char *since(enum bb_kfact k)
{
	static char buf[4][16];
	static unsigned int i;
	uint32_t v = bb_kfact_since(k);
	char *b = buf[i++ % 4];

	snprintf(b, sizeof(buf[0]), "%u.%u", BB_KV_MAJOR(v), BB_KV_MINOR(v));
	return b;
}

/* Why notify would not be exact, or NULL. */
static const char *inexact(const struct notify_facts *f, uint32_t kv, char *buf, size_t n)
{
	if (f->killable)
		return NULL;
	if (f->getfd) {
		snprintf(buf, n, "no pidfd_getfd (%s+): fds in values that are not maps "
			 "could not be taken from the target", since(BB_KF_PIDFD_GETFD));
	} else if (!bb_kv_has(kv, BB_KF_SECCOMP_NOTIF_HUP)) {
		snprintf(buf, n, "no POLLHUP on the listener (%s+): descendants would lose "
			 "the supervisor when the first child exits",
			 since(BB_KF_SECCOMP_NOTIF_HUP));
	} else if (f->witness) {
		snprintf(buf, n, "no killable waits (%s+) and no witness (%s: %s): an "
			 "answer a signal drops could be executed twice",
			 since(BB_KF_SECCOMP_WAIT_KILLABLE_RECV),
			 f->witness == -ENOENT ? "no tracefs" : "perf_event_open",
			 strerrorname_np(-f->witness));
	} else {
		return NULL;
	}
	return buf;
}

int sup_via_choose(const struct sup_opts *o, struct sup_choice *c)
{
	struct notify_facts f = { 0 };
	uint32_t kv = kernel_of(o);
	const char *no;
	int r;

	memset(c, 0, sizeof(*c));
	r = probe(o, &f);
	if (r < 0)
		return r;
	snprintf(c->facts, sizeof(c->facts),
		 "listener: %s; killable waits: %s; pidfd_getfd: %s; POLLHUP: %s; witness: %s; "
		 "ptrace: %s",
		 f.listener ? strerrorname_np(-f.listener) : "yes", f.killable ? "yes" : "no",
		 f.getfd ? "no" : "yes", bb_kv_has(kv, BB_KF_SECCOMP_NOTIF_HUP) ? "yes" : "no",
		 f.witness ? strerrorname_np(-f.witness) : "yes",
		 f.ptrace ? strerrorname_np(-f.ptrace) : "yes");
	if (f.listener) {
		c->via = SUP_VIA_PTRACE;
		snprintf(c->notify_why, sizeof(c->notify_why), "%s",
			 f.listener == -EBUSY ? "a seccomp listener is already taken here"
					      : "no seccomp user notification (5.0+)");
		snprintf(c->why, sizeof(c->why), "%s", c->notify_why);
		return 0;
	}
	no = inexact(&f, kv, c->notify_why, sizeof(c->notify_why));
	c->notify_exact = !no;
	c->via = no && !f.ptrace ? SUP_VIA_PTRACE : SUP_VIA_NOTIFY;
	if (no && f.ptrace)
		snprintf(c->why, sizeof(c->why), "no ptrace here (%s); notify is not exact: %.120s",
			 f.ptrace == -EOPNOTSUPP ? "not for this architecture"
						 : strerrorname_np(-f.ptrace),
			 no);
	else if (no)
		snprintf(c->why, sizeof(c->why), "%s", no);
	else if (f.killable)
		snprintf(c->why, sizeof(c->why), "killable waits (%s+): no answer is taken back",
			 since(BB_KF_SECCOMP_WAIT_KILLABLE_RECV));
	else
		snprintf(c->why, sizeof(c->why),
			 "no killable waits, but a witness sees every answer a signal drops");
	return 0;
}

static const char *name(enum sup_via v)
{
	return v == SUP_VIA_PTRACE ? "ptrace" : "notify";
}

int sup_via_explain(const struct sup_opts *o)
{
	struct sup_choice c;
	int r = sup_via_choose(o, &c);

	if (r < 0) {
		fprintf(stderr, "bpfbatch run: cannot find out: %s\n", strerror(-r));
		return 1;
	}
	printf("front end (--via auto): %s\nwhy: %s\nnotify exact: %s\nfacts: %s\n",
	       name(c.via), c.why, c.notify_exact ? "yes" : "no", c.facts);
	return 0;
}

int sup_via_run(const struct sup_opts *o, enum sup_via via)
{
	struct sup_choice c;
	int r;

	if (o->no_perf && (r = sim_install_no_perf()) < 0) {
		fprintf(stderr, "bpfbatch run: --no-perf: %s\n", strerror(-r));
		return 1;
	}
	if (via == SUP_VIA_PTRACE)
		return ptrace_run(o);
	if (o->simulate && !bb_kv_has(kernel_of(o), BB_KF_SECCOMP_USER_NOTIF) &&
	    via == SUP_VIA_NOTIFY) {
		fprintf(stderr,
			"bpfbatch run: kernel %u.%u has no seccomp user notification (%s+);\n"
			"--via ptrace (or no --via) serves it.\n",
			o->sim_major, o->sim_minor, since(BB_KF_SECCOMP_USER_NOTIF));
		return SUP_EXIT_UNSUPPORTED;
	}
	r = sup_via_choose(o, &c);
	if (r < 0) {
		fprintf(stderr, "bpfbatch run: cannot find out what the kernel has: %s\n",
			strerror(-r));
		return 1;
	}
	if (via == SUP_VIA_AUTO && (o->verbose || bb_state_stats()))
		fprintf(stderr, "bpfbatch run: front end %s (auto): %s\nbpfbatch run: %s\n",
			name(c.via), c.why, c.facts);
	if (via == SUP_VIA_AUTO && c.via == SUP_VIA_PTRACE)
		return ptrace_run(o);
	/* Served anyway (asked for, or the only one here), but said once. */
	if (!c.notify_exact && via == SUP_VIA_NOTIFY) {
		fprintf(stderr, "bpfbatch run: warning: --via notify is not exact here: %s\n",
			c.notify_why);
		if (o->verbose)
			fprintf(stderr, "bpfbatch run: %s\n", c.facts);
	} else if (!c.notify_exact && !o->verbose && !bb_state_stats()) {
		fprintf(stderr, "bpfbatch run: warning: %s\n", c.why);
	}
	return sup_run(o);
}
