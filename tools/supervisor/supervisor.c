/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The user-notification front end, from the shared pieces: start-up
 * (common/spawn: the child builds the filter, only it must carry it, and
 * hands the listener over before exec), signal forwarding (common/sigfwd),
 * the notify loop (common/notify_loop) and one served call
 * (supervisor/target_call). The parent applies its own "older kernel"
 * filter, if asked, only after the fork: an ERRNO filter in the target would
 * outrank USER_NOTIF. Termination is POLLHUP on the listener (no task left
 * under the filter, 5.8+), not the first child's exit, so forked and
 * daemonised descendants stay served.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "common/filter.h"
#include "common/notify_loop.h"
#include "common/sigfwd.h"
#include "common/spawn.h"
#include "sim/sim.h"
#include "supervisor/target_call.h"
#include "supervisor/target_fd.h"
#include "platform/kversion.h"
#include "platform/uapi.h"

/* ---- the child: the filter ---------------------------------------------- */

/* Build and load the notify filter; the listener fd or -errno. */
static int load_filter(bool nnp)
{
	scmp_filter_ctx ctx;
	int r;

	/* Level 5: SCMP_ACT_NOTIFY and the notify fd (kernel 5.0+). */
	if (seccomp_api_get() < 5)
		return -EOPNOTSUPP;
	r = filter_new(&ctx);
	if (r)
		return r;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, nnp);
	/* 24..27 as one masked test. */
	if (!r)
		r = filter_bpf_cmd(ctx, SCMP_ACT_NOTIFY, 0xfffffffcU, BB_MAP_LOOKUP_BATCH);
	/*
	 * Once the supervisor has received a call, a signal to the target must
	 * not abandon it: the kernel would restart the syscall after the
	 * supervisor had already served it (deleting elements twice over,
	 * moving a cursor twice). Where the kernel cannot prevent that (before
	 * 5.19), only fatal signals are safe; see docs/containers.md.
	 */
	if (!r)
		r = filter_load_listener(ctx, true, NULL);
	seccomp_release(ctx);
	return r;
}

/* spawn_opts.setup: the listener to hand over. */
static int child_setup(void *arg, int *listener)
{
	/* Keep set-uid semantics where allowed (CAP_SYS_ADMIN): the target
	 * should behave as without us. Elsewhere the kernel insists on NNP. */
	int fd = load_filter(false);

	if (fd == -EACCES)
		fd = load_filter(true);
	*listener = fd;
	return fd < 0 ? fd : 0;
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
	bool verbose;
	bool hup; /* the kernel reports POLLHUP when no task is left */
	struct spawn sp;
	struct sigfwd sig;
};

struct valid_arg {
	int listener;
	uint64_t id;
};

static bool notif_valid(void *arg)
{
	const struct valid_arg *v = arg;

	return notify_id_valid(v->listener, v->id);
}

static long serve_call(struct sup *s, const struct seccomp_notif *req)
{
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

/* notify_loop.serve */
static long serve_notif(void *arg, const struct seccomp_notif *req)
{
	struct sup *s = arg;
	int cmd = (int)(uint32_t)req->data.args[0];
	long res;

	if (!BB_IS_BATCH_CMD(cmd))
		return NOTIFY_CONTINUE; /* not ours: the kernel's */
	res = serve_call(s, req);
	if (s->verbose)
		fprintf(stderr, "bpfbatch run: pid %u bpf cmd %d -> %ld%s\n", req->pid, cmd,
			res == TC_GONE ? 0 : res, res == TC_GONE ? " (target gone)" : "");
	if (!notify_id_valid(s->listener, req->id))
		return NOTIFY_DROP; /* the target died or was interrupted: nobody to answer */
	/* Never leave a live target blocked: what we could not serve is
	 * answered as the old kernel would. */
	return res == TC_GONE ? -EINVAL : res;
}

/* notify_loop.on_fd: reap the child and pass on the signals meant for it. */
static void on_signals(void *arg)
{
	struct sup *s = arg;

	if (sigfwd_drain(&s->sig, s->sp.done ? 0 : s->sp.pid))
		spawn_reap(&s->sp);
}

/* notify_loop.stop: before 5.8 the first child's exit ends the supervision. */
static bool child_gone(void *arg)
{
	const struct sup *s = arg;

	return !s->hup && s->sp.done;
}

/* ---- entry -------------------------------------------------------------- */

int sup_run(const struct sup_opts *o)
{
	struct sup s = { .listener = -1, .verbose = o->verbose, .hup = kernel_reports_hup() };
	struct notify_loop l = { .serve = serve_notif, .arg = &s, .on_fd = on_signals,
				 .stop = child_gone };
	struct spawn_opts so = { .argv = o->argv, .setup = child_setup, .mask = &s.sig.old };
	int r, st;

	if (tc_init() < 0 || notify_loop_init(&l) < 0) {
		fprintf(stderr, "bpfbatch run: cannot set up (out of memory?)\n");
		return 1;
	}
	if (getenv("BPFBATCH_SUPERVISOR_GETFD") &&
	    !strcmp(getenv("BPFBATCH_SUPERVISOR_GETFD"), "fdinfo"))
		tf_force_fdinfo();

	/* Blocked before fork so no SIGCHLD is lost; the child restores. */
	sigfwd_block(&s.sig);
	r = spawn_start(&s.sp, &so);
	if (r < 0) {
		fprintf(stderr, "bpfbatch run: cannot start '%s': %s\n", o->argv[0], strerror(-r));
		return 1;
	}

	if (o->simulate) {
		r = sim_install(o->sim_major, o->sim_minor);
		if (r < 0) {
			fprintf(stderr, "bpfbatch run: cannot simulate kernel %u.%u: %s\n",
				o->sim_major, o->sim_minor, strerror(-r));
			spawn_abort(&s.sp);
			return 1;
		}
	}

	r = spawn_finish(&s.sp, &s.listener);
	if (r < 0 && s.sp.stage == SPAWN_EXEC) {
		fprintf(stderr, "bpfbatch run: cannot execute '%s': %s\n", o->argv[0],
			strerror(-r));
		return EXIT_NOEXEC;
	}
	if (r == -EPIPE) {
		fprintf(stderr, "bpfbatch run: the child died before handing over the listener\n");
		return 1;
	}
	if (r < 0) {
		explain_load_error(-r);
		return r == -EBUSY || r == -EOPNOTSUPP || r == -ENOSYS || r == -EINVAL
			       ? SUP_EXIT_UNSUPPORTED
			       : 1;
	}

	r = sigfwd_open(&s.sig);
	if (r < 0) {
		fprintf(stderr, "bpfbatch run: signalfd: %s\n", strerror(-r));
		return 1;
	}
	l.listener = s.listener;
	l.fd = s.sig.fd;
	r = notify_loop_run(&l);
	if (r < 0)
		fprintf(stderr, "bpfbatch run: listener failed: %s\n", strerror(-r));
	st = spawn_wait(&s.sp);
	sigfwd_close(&s.sig);
	close(s.listener);
	notify_loop_free(&l);
	return r < 0 ? 1 : st;
}
