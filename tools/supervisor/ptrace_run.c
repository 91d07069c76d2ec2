/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Start-up: the child waits until the supervisor has seized it (so it never
 * runs a traced call without a tracer, which would be ENOSYS), loads its
 * filter and execs. Seizing rather than PTRACE_TRACEME keeps job control
 * intact: group stops are told apart and kept with PTRACE_LISTEN. Forks,
 * clones and execs are followed; PTRACE_O_EXITKILL makes every tracee die
 * with the supervisor, as a notify target's calls fail when it dies.
 *
 * Serving: a traced call is served while its thread sits in a ptrace stop,
 * which a signal cannot end (only SIGKILL can), so there is no restart and
 * nothing to replay: each call gets one answer. Signal-delivery stops are
 * resumed with the same signal, so the target's signals land as they would
 * untraced. The supervisor ends when it has no tracee left (waitpid says
 * ECHILD), so forked and daemonised descendants stay served, and exits with
 * the first child's status.
 *
 * Under --kernel X.Y the target's filter also carries that kernel's bpf()
 * rules (its unknown commands fail; what it decides per map type or argument
 * stops here and is judged by the simulator, sim_judge.h), and the
 * supervisor itself runs under them too: no listener, no pidfds before
 * their kernels, its own bpf() judged in-process.
 */
#include "supervisor/ptrace_run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmds.h"
#include "common/filter.h"
#include "common/sigfwd.h"
#include "common/spawn.h"
#include "platform/kversion.h"
#include "platform/state.h"
#include "platform/uapi.h"
#include "sim/sim.h"
#include "sim/sim_judge.h"
#include "supervisor/ptrace_inject.h"
#include "supervisor/ptrace_regs.h"
#include "supervisor/ptrace_stop.h"
#include "supervisor/target_call.h"
#include "supervisor/target_fd.h"

/* SECCOMP_RET_DATA of the rules: which stop is what. */
#define TRACE_BATCH 1 /* a batch command: served */
#define TRACE_SIM 2   /* judged as the simulated kernel would */

struct child_arg {
	const struct sup_opts *o;
	int go; /* read end: the supervisor has seized us */
};

/* ---- the child ------------------------------------------------------------ */

static int load_filter(const struct sup_opts *o, bool nnp)
{
	scmp_filter_ctx ctx;
	int r = filter_new(&ctx);

	if (r)
		return r;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, nnp);
	if (!r)
		r = filter_bpf_cmd(ctx, SCMP_ACT_TRACE(TRACE_BATCH), 0xfffffffcU,
				   BB_MAP_LOOKUP_BATCH);
	if (!r && o->simulate)
		r = sim_add_rules(ctx, o->sim_major, o->sim_minor, true);
	if (!r && o->simulate) {
		r = sim_judged_rules(ctx, BB_KV(o->sim_major, o->sim_minor),
				     SCMP_ACT_TRACE(TRACE_SIM), true);
		r = r > 0 ? 0 : r;
	}
	if (!r)
		r = filter_load(ctx);
	seccomp_release(ctx);
	return r;
}

/* spawn_opts.setup */
static int child_setup(void *arg, int *handover)
{
	const struct child_arg *a = arg;
	char c;
	ssize_t n;
	int r;

	*handover = -1;
	do
		n = read(a->go, &c, 1);
	while (n < 0 && errno == EINTR);
	close(a->go);
	if (n != 1)
		return -EPIPE; /* the supervisor could not seize us */
	/* Keep set-uid semantics where allowed, as the notify front end. */
	r = load_filter(a->o, false);
	if (r == -EACCES)
		r = load_filter(a->o, true);
	return r;
}

/* ---- serving -------------------------------------------------------------- */

struct pt {
	const struct sup_opts *o;
	uint32_t sim_v;
	struct spawn sp;
	struct sigfwd sig;
	uint64_t served;
};

/* tc_call.still_valid: the thread is still in our stop. */
static bool still_stopped(void *arg)
{
	unsigned long msg;

	return ptrace(PTRACE_GETEVENTMSG, *(pid_t *)arg, 0, &msg) == 0;
}

static void gone(struct pt *p, pid_t tid, int status)
{
	ps_forget(tid);
	if (tid == p->sp.pid && !p->sp.done) {
		p->sp.done = true;
		p->sp.status = status;
	}
}

/* Serve a batch call; the result for the target. */
static long serve_batch(struct pt *p, pid_t tid, const struct pr_regs *regs, struct pi *pi)
{
	struct tf_target t;
	struct tc_call c = {
		.t = &t,
		.cmd = (int)(uint32_t)pr_arg(regs, 0),
		.uattr = pr_arg(regs, 1),
		.size = (unsigned int)pr_arg(regs, 2),
		.still_valid = still_stopped,
		.arg = &tid,
	};
	long r = tf_open(&t, tid);

	if (r < 0)
		return r == -ESRCH ? TC_GONE : -EINVAL;
	t.take = pi_take_fd;
	t.take_arg = pi;
	r = tc_serve(&c);
	tf_close(&t);
	return r;
}

static void on_seccomp(struct pt *p, const struct ps_stop *s)
{
	unsigned long tag = 0;
	struct pr_regs regs;
	struct pi pi;
	long r;

	if (ptrace(PTRACE_GETEVENTMSG, s->tid, 0, &tag) < 0 || pr_get(s->tid, &regs) < 0) {
		ps_resume(s);
		return;
	}
	if (tag == TRACE_SIM) {
		r = sim_judge(s->tid, (int)(uint32_t)pr_arg(&regs, 0), pr_arg(&regs, 1),
			      (unsigned int)pr_arg(&regs, 2), p->sim_v);
		if (r)
			goto answer;
		ps_resume(s); /* the real kernel runs it */
		return;
	}
	pi_init(&pi, s->tid, &regs);
	r = serve_batch(p, s->tid, &regs, &pi);
	p->served++;
	if (p->o->verbose)
		fprintf(stderr, "bpfbatch run: tid %d bpf cmd %d -> %ld%s (ptrace)\n", (int)s->tid,
			(int)(uint32_t)pr_arg(&regs, 0), r == TC_GONE ? 0 : r,
			r == TC_GONE ? " (target gone)" : "");
	/* What we could not serve is answered as the old kernel would. */
	if (r == TC_GONE)
		r = -EINVAL;
	if (pi.active) {
		if (pi_finish(&pi, r) < 0 && pi.gone)
			gone(p, s->tid, pi.status);
		return;
	}
answer:
	pr_skip(&regs, r);
	if (pr_set(s->tid, &regs) == 0)
		ptrace(PTRACE_CONT, s->tid, 0, 0);
}

static void on_stop(struct pt *p, pid_t tid, int status)
{
	struct ps_stop s;
	unsigned long former;

	ps_decode(tid, status, &s);
	switch (s.kind) {
	case PS_GONE:
		gone(p, tid, status);
		return;
	case PS_SECCOMP:
		on_seccomp(p, &s);
		return;
	case PS_SIGNAL:
		ps_restore_held(&s);
		break;
	case PS_EVENT:
		/* exec by a thread that was not the leader: it took the
		 * leader's tid, its own is gone */
		if (s.event == PTRACE_EVENT_EXEC &&
		    ptrace(PTRACE_GETEVENTMSG, tid, 0, &former) == 0 && (pid_t)former != tid)
			ps_forget((pid_t)former);
		break;
	default:
		break;
	}
	ps_resume(&s);
}

/* Until no tracee is left. */
static int serve(struct pt *p)
{
	struct pollfd pfd = { .fd = p->sig.fd, .events = POLLIN };
	int status;
	pid_t tid;

	for (;;) {
		tid = waitpid(-1, &status, __WALL | WNOHANG);
		if (tid > 0) {
			on_stop(p, tid, status);
			continue;
		}
		if (tid < 0 && errno == ECHILD)
			return 0;
		if (tid < 0 && errno != EINTR)
			return -errno;
		/* Nothing to reap: wait for SIGCHLD or a signal to pass on. */
		if (tid == 0 && poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -errno;
		sigfwd_drain(&p->sig, p->sp.done ? 0 : p->sp.pid);
	}
}

/* ---- entry ---------------------------------------------------------------- */

/* The supervisor under the simulated kernel: after the fork, so that the
 * target's own filter (with the same rules, but 24..27 traced) is not
 * shadowed by EINVAL for 24..27. */
static int simulate(struct pt *p)
{
	const struct sup_opts *o = p->o;
	int r = sim_install(o->sim_major, o->sim_minor);

	if (r < 0)
		return r;
	p->sim_v = BB_KV(o->sim_major, o->sim_minor);
	tf_act_as(p->sim_v);
	return sim_judge_self(o->sim_major, o->sim_minor);
}

static void getfd_override(void)
{
	const char *how = getenv("BPFBATCH_SUPERVISOR_GETFD");

	if (how && !strcmp(how, "fdinfo"))
		tf_force_fdinfo();
	else if (how && !strcmp(how, "take"))
		tf_force_take();
}

/* Start the target seized and filtered. 0, or the tool's exit status. */
static int start(struct pt *p)
{
	struct child_arg ca = { .o = p->o };
	struct spawn_opts so = { .argv = p->o->argv, .setup = child_setup, .arg = &ca,
				 .mask = &p->sig.old };
	int go[2], h = -1, r;

	if (pipe2(go, O_CLOEXEC) < 0)
		return 1;
	ca.go = go[0];
	sigfwd_block(&p->sig);
	r = spawn_start(&p->sp, &so);
	close(go[0]);
	if (r < 0) {
		close(go[1]);
		fprintf(stderr, "bpfbatch run: cannot start '%s': %s\n", p->o->argv[0],
			strerror(-r));
		return 1;
	}
	if (ptrace(PTRACE_SEIZE, p->sp.pid, 0, PS_OPTIONS) < 0) {
		r = errno;
		close(go[1]);
		spawn_abort(&p->sp);
		fprintf(stderr, "bpfbatch run: cannot trace the command: %s%s\n", strerror(r),
			r == EPERM ? " (already traced, or ptrace is not allowed here)" : "");
		return SUP_EXIT_UNSUPPORTED;
	}
	r = write(go[1], "g", 1) == 1 ? 0 : -EPIPE;
	close(go[1]);
	if (!r && p->o->simulate)
		r = simulate(p);
	if (r < 0) {
		spawn_abort(&p->sp);
		fprintf(stderr, "bpfbatch run: cannot simulate kernel %u.%u: %s\n",
			p->o->sim_major, p->o->sim_minor, strerror(-r));
		return 1;
	}
	r = spawn_finish(&p->sp, &h);
	if (r < 0 && p->sp.stage == SPAWN_EXEC) {
		fprintf(stderr, "bpfbatch run: cannot execute '%s': %s\n", p->o->argv[0],
			strerror(-r));
		return EXIT_NOEXEC;
	}
	if (r < 0) {
		fprintf(stderr, "bpfbatch run: cannot install the seccomp filter: %s\n",
			strerror(-r));
		return 1;
	}
	return 0;
}

int ptrace_run(const struct sup_opts *o)
{
	struct pt p = { .o = o };
	int r;

	if (!pr_supported()) {
		fprintf(stderr, "bpfbatch run: no ptrace front end for this architecture yet\n");
		return SUP_EXIT_UNSUPPORTED;
	}
	if (tc_init() < 0) {
		fprintf(stderr, "bpfbatch run: cannot set up (out of memory?)\n");
		return 1;
	}
	getfd_override();
	r = start(&p);
	if (r)
		return r;
	r = sigfwd_open(&p.sig);
	if (r < 0) {
		fprintf(stderr, "bpfbatch run: signalfd: %s\n", strerror(-r));
		return 1;
	}
	r = serve(&p);
	if (r < 0)
		fprintf(stderr, "bpfbatch run: waiting for the target failed: %s\n", strerror(-r));
	sigfwd_close(&p.sig);
	r = r < 0 ? 1 : spawn_wait(&p.sp);
	/* A stop cannot be taken back: nothing to replay, ever. */
	if (o->verbose || bb_state_stats())
		fprintf(stderr, "bpfbatch run: %" PRIu64 " calls served (ptrace)\n", p.served);
	return r;
}
