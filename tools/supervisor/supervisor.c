/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The user-notification front end, from the shared pieces: start-up
 * (common/spawn: the child installs its filters, supervisor/target_filter,
 * and hands the listener over before exec), signal forwarding
 * (common/sigfwd), the notify loop (common/notify_loop) and one served call
 * (supervisor/target_call). Calls the kernel serves itself the target runs
 * itself (supervisor/native_call); where a signal can take a served call
 * back (before 5.19) the restart is answered from what was done
 * (supervisor/replay). Termination is POLLHUP on the listener (no task left
 * under the filter, 5.8+), not the first child's exit, so forked and
 * daemonised descendants stay served.
 *
 * `--kernel X.Y` makes all of it behave as on X.Y: the parent's own bpf()
 * and syscalls (sim_self: the simulator's rules, its per-type rules served
 * by a thread of ours), the target's (its filters, target_filter: no
 * killable waits before 5.19, the per-type rules on our listener, judged
 * here), POLLHUP as X.Y has it. The parent's filter comes only after the
 * fork: the target gets its own, where commands 24..27 are left to the
 * listener (an ERRNO rule would outrank USER_NOTIF).
 *
 * What the supervisor will do for a target: only the four batch commands,
 * only on fds the target holds (taken over with pidfd_getfd, so the same
 * file with the same read/write mode), only in its memory. The notification
 * is re-checked after the pidfd is taken (so the pid was not reused) and
 * before every write into the target, and answers go to pending
 * notifications only; a pid reused within the microseconds between a check
 * and process_vm_writev is the one window left (pidfds cannot address
 * memory). Checks an LSM makes in bpf() are the supervisor's, not the
 * target's.
 */
#include "supervisor/supervisor.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "common/notify_loop.h"
#include "common/sigfwd.h"
#include "common/spawn.h"
#include "sim/sim_notify.h"
#include "sim/sim_self.h"
#include "supervisor/native_call.h"
#include "supervisor/replay.h"
#include "supervisor/target_call.h"
#include "supervisor/target_fd.h"
#include "supervisor/target_filter.h"
#include "platform/kversion.h"
#include "platform/state.h"
#include "platform/uapi.h"

/* spawn_opts.setup: the filters, and the listener to hand over. */
static int child_setup(void *arg, int *listener)
{
	return tfl_install(*(const uint32_t *)arg, listener);
}

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
			"which --via notify needs; --via ptrace (or no --via) serves it.\n",
			BB_KV_MAJOR(bb_kfact_since(BB_KF_SECCOMP_USER_NOTIF)),
			BB_KV_MINOR(bb_kfact_since(BB_KF_SECCOMP_USER_NOTIF)));
	else
		fprintf(stderr, "bpfbatch run: cannot install the seccomp filter: %s\n",
			strerror(err));
}

/* ---- the parent: serving ------------------------------------------------ */

struct sup {
	int listener;
	bool verbose;
	uint32_t sim;      /* the simulated kernel (BB_KV()), 0: none */
	bool can_continue; /* the kernel lets a target run a call itself (5.5+) */
	bool hup;          /* the kernel reports POLLHUP when no task is left (5.8+) */
	struct replay *rp; /* NULL where a received call is never taken back */
	struct spawn sp;
	struct sigfwd sig;
	uint64_t served, native;
};

/* One call being served. */
struct serving {
	struct sup *s;
	const struct seccomp_notif *req;
	struct replay_call *rc; /* its record, if the kernel can take it back */
};

static bool notif_valid(void *arg)
{
	const struct serving *v = arg;

	return notify_id_valid(v->s->listener, v->req->id);
}

/* tc_call.put: write into the target only while its notification is
 * pending (so the pid is the caller's); once it is gone, keep what is left
 * for the restart. */
static long put(void *arg, struct tm_span *sp, unsigned int n)
{
	struct serving *v = arg;
	long w;

	if (notif_valid(v)) {
		w = tm_write((pid_t)v->req->pid, sp, n);
		if (w == -ESRCH)
			return TC_GONE;
		if (v->rc)
			replay_wrote(v->rc, sp, n);
		return w < 0 ? 0 : w;
	}
	if (!v->rc)
		return TC_GONE;
	w = replay_keep(v->s->rp, v->rc, sp, n);
	return w < 0 ? TC_GONE : w;
}

static long serve_call(struct sup *s, const struct seccomp_notif *req)
{
	struct serving v = { .s = s, .req = req };
	struct tf_target t;
	struct tc_call c = {
		.t = &t,
		.cmd = (int)(uint32_t)req->data.args[0],
		.uattr = req->data.args[1],
		.size = (unsigned int)req->data.args[2],
		.still_valid = notif_valid,
		.put = put,
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
	if (s->can_continue && nc_kernel_serves(&t, c.cmd, c.uattr, c.size)) {
		tf_close(&t);
		s->native++;
		return NOTIFY_CONTINUE;
	}
	if (s->rp)
		v.rc = replay_begin(s->rp, req);
	r = tc_serve(&c);
	if (s->rp)
		replay_end(s->rp, v.rc, r);
	tf_close(&t);
	s->served++;
	return r;
}

/* Not a batch command: one of the simulator's per-type rules sent it
 * here, whose verdict stands (or the kernel runs it, as the simulated
 * kernel would: the simulator's own use of CONTINUE). */
static long judge(const struct sup *s, const struct seccomp_notif *req)
{
	long r = s->sim ? sim_notify_judge(req, s->sim) : 0;

	return r ? r : NOTIFY_CONTINUE;
}

/* notify_loop.serve */
static long serve_notif(void *arg, const struct seccomp_notif *req)
{
	struct sup *s = arg;
	int cmd = (int)(uint32_t)req->data.args[0];
	const char *how = "";
	long res;

	if (!BB_IS_BATCH_CMD(cmd))
		return judge(s, req);
	if (s->rp && replay_find(s->rp, s->listener, req, &res))
		how = " (replayed)";
	else
		res = serve_call(s, req);
	if (s->verbose)
		fprintf(stderr, "bpfbatch run: pid %u bpf cmd %d -> %ld%s\n", req->pid, cmd,
			res == TC_GONE || res == NOTIFY_DROP || res == NOTIFY_CONTINUE ? 0 : res,
			res == TC_GONE || res == NOTIFY_DROP ? " (target gone)"
			: res == NOTIFY_CONTINUE	     ? " (run by the kernel)"
							     : how);
	/* Never leave a live target blocked: what we could not serve is
	 * answered as the old kernel would. */
	if (res == TC_GONE)
		return notify_id_valid(s->listener, req->id) ? -EINVAL : NOTIFY_DROP;
	return res;
}

/* notify_loop.sent */
static void sent(void *arg, const struct seccomp_notif *req, long r, int err)
{
	struct sup *s = arg;

	if (s->rp)
		replay_sent(s->rp, req, err);
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

static void print_stats(const struct sup *s)
{
	const struct replay_stats *r;

	fprintf(stderr, "bpfbatch run: %" PRIu64 " calls served, %" PRIu64 " run by the kernel\n",
		s->served, s->native);
	if (!s->rp)
		return;
	r = replay_stats(s->rp);
	fprintf(stderr,
		"bpfbatch run: answers taken back by signals: %" PRIu64 " unsent, %" PRIu64
		" dropped after sending; %" PRIu64 " restarts answered from what was done, %" PRIu64
		" records given up\n",
		r->unsent, r->dropped, r->replayed, r->lost);
}

/* ---- entry -------------------------------------------------------------- */

/* The kernel the supervisor behaves as on: the simulated one, or this one
 * (as new as can be where it cannot be told). */
static uint32_t kernel_of(const struct sup_opts *o)
{
	uint32_t v = o->simulate ? BB_KV(o->sim_major, o->sim_minor) : bb_kv_running();

	return v ? v : BB_KV_NEVER;
}

int sup_run(const struct sup_opts *o)
{
	uint32_t kv = kernel_of(o);
	struct sup s = {
		.listener = -1,
		.verbose = o->verbose,
		.sim = o->simulate ? kv : 0,
		.can_continue = bb_kv_has(kv, BB_KF_SECCOMP_NOTIF_CONTINUE),
		.hup = bb_kv_has(kv, BB_KF_SECCOMP_NOTIF_HUP),
	};
	struct notify_loop l = { .serve = serve_notif, .arg = &s, .on_fd = on_signals,
				 .stop = child_gone, .no_hup = !s.hup, .sent = sent };
	struct spawn_opts so = { .argv = o->argv, .setup = child_setup, .arg = &s.sim,
				 .mask = &s.sig.old };
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
		r = sim_install_self(o->sim_major, o->sim_minor);
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
	/* Without killable waits a served call can be taken back. */
	if (!(s.sp.info & TFL_KILLABLE) && !(s.rp = replay_new(true))) {
		fprintf(stderr, "bpfbatch run: cannot set up (out of memory?)\n");
		return 1;
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
	if (s.verbose || bb_state_stats())
		print_stats(&s);
	sigfwd_close(&s.sig);
	close(s.listener);
	notify_loop_free(&l);
	replay_free(s.rp);
	return r < 0 ? 1 : st;
}
