/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Start-up: the child builds the filter (only it must carry it), sends the
 * listener to the parent over a socketpair before exec (the listener is
 * close-on-exec; an unsent one would turn every trapped call into ENOSYS),
 * then execs. The parent applies its own "older kernel" filter, if asked,
 * only now: an ERRNO filter in the target would outrank USER_NOTIF.
 *
 * Serving: one notification at a time, in this process. Termination is
 * POLLHUP on the listener (no task left under the filter, 5.8+), not the
 * first child's exit, so forked and daemonised descendants stay served.
 *
 * What the supervisor will do for a target: only the four batch commands,
 * only on fds the target holds (taken over with pidfd_getfd, so the same
 * file with the same read/write mode), only in its memory. The notification
 * is re-checked after the pidfd is taken (so the pid was not reused), before
 * the first write into the target and before answering; a pid reused within
 * the microseconds between the last check and process_vm_writev is the one
 * window left (pidfds cannot address memory). Checks an LSM makes in bpf()
 * are the supervisor's, not the target's.
 */
#include "supervisor/supervisor.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmds.h"
#include "common/listener.h"
#include "sim/sim.h"
#include "supervisor/target_call.h"
#include "supervisor/target_fd.h"
#include "platform/kversion.h"
#include "platform/uapi.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

/* ---- the child: filter, hand-over, exec --------------------------------- */

static int add_arches(scmp_filter_ctx ctx)
{
	/* Without its compat ABIs in the filter, a 32-bit program the target
	 * execs would be killed as a "bad arch". */
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

/* Load the notify filter; returns the listener fd or -errno. */
/*
 * Once the supervisor has received a call, a signal to the target must not
 * abandon it: the kernel would restart the syscall after the supervisor had
 * already served it (deleting elements twice over, moving a cursor twice).
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19+) makes the wait killable
 * only; libseccomp 2.5 cannot set it, so its program is loaded by hand.
 * Returns the listener, or -EINVAL where the kernel lacks the flag (then
 * only fatal signals are safe; see docs/containers.md).
 */
static int load_wait_killable(scmp_filter_ctx ctx, bool nnp)
{
	struct sock_fprog prog;
	struct stat st;
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

static int load_filter(bool nnp)
{
	scmp_filter_ctx ctx;
	int r;

	/* Level 5: SCMP_ACT_NOTIFY and the notify fd (kernel 5.0+). */
	if (seccomp_api_get() < 5)
		return -EOPNOTSUPP;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	/* The kernel's errno (EBUSY, EACCES) rather than ECANCELED. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (!r)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, nnp);
	if (!r)
		r = add_arches(ctx);
	/* cmd is an int: compare its low 32 bits only, 24..27 as one masked
	 * test (SCMP_A0_32 with a range compare still sees the upper half in
	 * libseccomp 2.5). */
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(bpf), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, 0xfffffffcULL,
					     (scmp_datum_t)BB_MAP_LOOKUP_BATCH));
	if (!r) {
		r = load_wait_killable(ctx, nnp);
		if (r >= 0) {
			seccomp_release(ctx);
			return r; /* the listener */
		}
	}
	if (!r || r == -EINVAL) {
		errno = 0;
		r = seccomp_load(ctx);
		/* 2.5.4 reports EBUSY as ECANCELED or even EFAULT, with or
		 * without SYSRAWRC; the kernel's errno is still in errno. */
		if (r < 0 && errno)
			r = -errno;
	}
	if (!r)
		r = seccomp_notify_fd(ctx);
	seccomp_release(ctx);
	return r;
}

static void __attribute__((noreturn))
child_main(const struct sup_opts *o, int sock, const sigset_t *oldmask)
{
	int fd, e;

	/* Keep set-uid semantics where allowed (CAP_SYS_ADMIN): the target
	 * should behave as without us. Elsewhere the kernel insists on NNP. */
	fd = load_filter(false);
	if (fd == -EACCES)
		fd = load_filter(true);
	if (listener_send(sock, fd < 0 ? -fd : 0, fd) < 0 || fd < 0)
		_exit(SUP_EXIT_UNSUPPORTED);
	close(fd);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	execvp(o->argv[0], o->argv);
	e = errno;
	if (write(sock, &e, sizeof(e)) < 0)
		_exit(EXIT_NOEXEC);
	_exit(EXIT_NOEXEC);
}

/* ---- the parent: start-up ---------------------------------------------- */

static void explain_load_error(int err)
{
	if (err == EBUSY)
		fprintf(stderr,
			"bpfbatch run: this process already runs under a seccomp user-notification\n"
			"supervisor (another 'bpfbatch run', or a container runtime's seccomp agent).\n"
			"A task's filters may hold only one listener, so 'bpfbatch run' cannot nest.\n"
			"Run the command without the outer supervisor, or use LD_PRELOAD of\n"
			"libbpfbatch.so for dynamically linked programs.\n");
	else if (err == EOPNOTSUPP || err == ENOSYS || err == EINVAL)
		fprintf(stderr,
			"bpfbatch run: this kernel has no seccomp user notification (Linux %u.%u+),\n"
			"which the supervisor needs. A ptrace-based supervisor for older kernels is\n"
			"planned; meanwhile use LD_PRELOAD of libbpfbatch.so for dynamically linked\n"
			"programs.\n",
			BB_KV_MAJOR(bb_kfact_since(BB_KF_SECCOMP_USER_NOTIF)),
			BB_KV_MINOR(bb_kfact_since(BB_KF_SECCOMP_USER_NOTIF)));
	else
		fprintf(stderr, "bpfbatch run: cannot install the seccomp filter: %s\n",
			strerror(err));
}

/* Without POLLHUP on a listener no task uses any more, the first child's
 * exit has to end the supervision. An unknown kernel is taken as new. */
static bool kernel_reports_hup(void)
{
	uint32_t v = bb_kv_running();

	return !v || bb_kv_has(v, BB_KF_SECCOMP_NOTIF_HUP);
}

/* ---- the parent: serving ------------------------------------------------ */

struct sup {
	int listener;
	pid_t child;
	bool child_done;
	int child_status;
	bool verbose;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

struct valid_arg {
	int listener;
	uint64_t id;
};

static bool notif_valid(void *arg)
{
	const struct valid_arg *v = arg;

	return seccomp_notify_id_valid(v->listener, v->id) == 0;
}

static void respond(struct sup *s, long r, uint32_t flags)
{
	struct seccomp_notif_resp *resp = s->resp;

	memset(resp, 0, sizeof(*resp));
	resp->id = s->req->id;
	resp->flags = flags;
	resp->error = r < 0 ? (int32_t)r : 0;
	resp->val = r < 0 ? 0 : r;
	/* Failure here means the target died or was interrupted by a signal
	 * meanwhile (ENOENT): nobody waits for the answer any more. */
	if (seccomp_notify_respond(s->listener, resp) < 0 && flags) {
		/* CONTINUE is 5.5+; before that answer as the old kernel. */
		resp->flags = 0;
		resp->error = -EINVAL;
		seccomp_notify_respond(s->listener, resp);
	}
}

static long serve_call(struct sup *s)
{
	struct seccomp_notif *req = s->req;
	struct valid_arg v = { s->listener, req->id };
	struct tf_target t;
	struct tc_call c = {
		.t = &t,
		.cmd = (int)(uint32_t)req->data.args[0],
		.uattr = req->data.args[1],
		.size = (unsigned int)req->data.args[2],
		.still_valid = notif_valid,
		.arg = &v,
	};
	long r;

	if (req->pid == 0)
		return -EINVAL; /* in a pid namespace we cannot see into */
	r = tf_open(&t, (pid_t)req->pid);
	if (r < 0)
		return r == -ESRCH ? TC_GONE : -EINVAL;
	/* The pid may have been reused before we took the handle: only a
	 * still-pending notification proves the handle names the target. */
	if (!notif_valid(&v)) {
		tf_close(&t);
		return TC_GONE;
	}
	r = tc_serve(&c);
	tf_close(&t);
	return r;
}

/* Take one notification and answer it. 0, or -errno for a broken listener. */
static int serve_one(struct sup *s)
{
	struct seccomp_notif *req = s->req;
	int cmd, r;
	long res;

	memset(req, 0, sizeof(*req)); /* the kernel insists on a zeroed buffer */
	errno = 0;
	r = seccomp_notify_receive(s->listener, req);
	if (r < 0) {
		/* libseccomp folds every failure into ECANCELED; errno still
		 * holds the kernel's. EINTR: a signal for us. ENOENT: the task
		 * was interrupted (e.g. Go's preemption signal) or killed
		 * before we got to it; it will retry or is gone. */
		int e = r == -ECANCELED && errno ? errno : -r;

		return e == EINTR || e == ENOENT ? 0 : -e;
	}
	cmd = (int)(uint32_t)req->data.args[0];
	if (!BB_IS_BATCH_CMD(cmd)) {
		respond(s, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE); /* not ours: the kernel's */
		return 0;
	}
	res = serve_call(s);
	if (s->verbose)
		fprintf(stderr, "bpfbatch run: pid %u bpf cmd %d -> %ld%s\n", req->pid, cmd,
			res == TC_GONE ? 0 : res, res == TC_GONE ? " (target gone)" : "");
	if (seccomp_notify_id_valid(s->listener, req->id) != 0)
		return 0; /* the target died or was interrupted: nobody to answer */
	/* Never leave a live target blocked: what we could not serve is
	 * answered as the old kernel would. */
	respond(s, res == TC_GONE ? -EINVAL : res, 0);
	return 0;
}

/* Reap the child and pass on the signals meant for the target. Signals the
 * kernel sent (a terminal's ^C) reach the target directly already. */
static void handle_signals(struct sup *s, int sigfd)
{
	struct signalfd_siginfo si;
	int st;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			if (!s->child_done && si.ssi_code != SI_KERNEL)
				kill(s->child, (int)si.ssi_signo);
			continue;
		}
		while (!s->child_done && waitpid(s->child, &st, WNOHANG) == s->child) {
			s->child_done = true;
			s->child_status = st;
		}
	}
}

static int serve(struct sup *s, int sigfd)
{
	bool hup = kernel_reports_hup();

	for (;;) {
		struct pollfd p[2] = { { s->listener, POLLIN, 0 }, { sigfd, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents & POLLIN)
			handle_signals(s, sigfd);
		if (p[0].revents & POLLIN) {
			int r = serve_one(s);

			if (r < 0)
				return r;
			continue;
		}
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			return 0;
		if (!hup && s->child_done)
			return 0;
	}
}

/* ---- entry -------------------------------------------------------------- */

int sup_run(const struct sup_opts *o)
{
	struct sup s = { .listener = -1, .verbose = o->verbose };
	sigset_t set, oldmask;
	int sp[2], sigfd, r, e, st;
	ssize_t n;

	if (tc_init() < 0 || seccomp_notify_alloc(&s.req, &s.resp) < 0) {
		fprintf(stderr, "bpfbatch run: cannot set up (out of memory?)\n");
		return 1;
	}
	if (getenv("BPFBATCH_SUPERVISOR_GETFD") &&
	    !strcmp(getenv("BPFBATCH_SUPERVISOR_GETFD"), "fdinfo"))
		tf_force_fdinfo();

	/* Blocked before fork so no SIGCHLD is lost; the child restores. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &oldmask);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		fprintf(stderr, "bpfbatch run: socketpair: %s\n", strerror(errno));
		return 1;
	}
	fflush(NULL);
	s.child = fork();
	if (s.child < 0) {
		fprintf(stderr, "bpfbatch run: fork: %s\n", strerror(errno));
		return 1;
	}
	if (s.child == 0) {
		close(sp[0]);
		child_main(o, sp[1], &oldmask);
	}
	close(sp[1]);

	if (o->simulate) {
		r = sim_install(o->sim_major, o->sim_minor);
		if (r < 0) {
			fprintf(stderr, "bpfbatch run: cannot simulate kernel %u.%u: %s\n",
				o->sim_major, o->sim_minor, strerror(-r));
			kill(s.child, SIGKILL);
			waitpid(s.child, NULL, 0);
			return 1;
		}
	}

	s.listener = listener_recv(sp[0]);
	if (s.listener < 0) {
		waitpid(s.child, NULL, 0);
		if (s.listener == -EPIPE) {
			fprintf(stderr, "bpfbatch run: the child died before handing over the listener\n");
			return 1;
		}
		explain_load_error(-s.listener);
		return s.listener == -EBUSY || s.listener == -EOPNOTSUPP ||
		       s.listener == -ENOSYS || s.listener == -EINVAL ? SUP_EXIT_UNSUPPORTED : 1;
	}
	/* EOF: exec worked (the socket is close-on-exec); else its errno. */
	do
		n = read(sp[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(sp[0]);
	if (n == sizeof(e)) {
		fprintf(stderr, "bpfbatch run: cannot execute '%s': %s\n", o->argv[0],
			strerror(e));
		waitpid(s.child, NULL, 0);
		return EXIT_NOEXEC;
	}

	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		fprintf(stderr, "bpfbatch run: signalfd: %s\n", strerror(errno));
		return 1;
	}
	r = serve(&s, sigfd);
	if (r < 0)
		fprintf(stderr, "bpfbatch run: listener failed: %s\n", strerror(-r));
	if (!s.child_done) {
		while (waitpid(s.child, &st, 0) < 0 && errno == EINTR)
			;
		s.child_status = st;
	}
	close(sigfd);
	close(s.listener);
	seccomp_notify_free(s.req, s.resp);
	return r < 0 ? 1 : listener_exit_status(s.child_status);
}
