/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * `bpfbatch run` against a statically linked client that LD_PRELOAD cannot
 * reach: the client fails on a simulated 5.4 kernel, and gives exactly the
 * native answers under the supervisor on the same simulated kernel (so the
 * emulation serves it through the target's memory), including EFAULT for its
 * bad pointers, with threads, fork and exec, and when it dies mid-call.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if !defined(STATIC_CLIENT) || !defined(DYNAMIC_CLIENT) || !defined(NO_PTRACE)
#error "STATIC_CLIENT and DYNAMIC_CLIENT must name the client's two builds, NO_PTRACE no-ptrace"
#endif

struct out {
	int status; /* exit code, or 128 + signal */
	char text[32768];
	char err[8192];
};

static const char *tool(void)
{
	const char *t = getenv("BPFBATCH_TOOL");

	cr_assert(t && *t, "BPFBATCH_TOOL is not set (run through meson test)");
	return t;
}

static void drain(int ofd, int efd, struct out *o)
{
	struct pollfd p[2] = { { ofd, POLLIN, 0 }, { efd, POLLIN, 0 } };
	char *buf[2] = { o->text, o->err };
	size_t cap[2] = { sizeof(o->text) - 1, sizeof(o->err) - 1 }, len[2] = { 0, 0 };
	char scratch[256];
	int open_fds = 2;

	while (open_fds) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (len[i] < cap[i])
				n = read(p[i].fd, buf[i] + len[i], cap[i] - len[i]);
			else
				n = read(p[i].fd, scratch, sizeof(scratch));
			if (n > 0 && len[i] < cap[i])
				len[i] += (size_t)n;
			if (n == 0 || (n < 0 && errno != EINTR)) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	o->text[len[0]] = '\0';
	o->err[len[1]] = '\0';
}

/* Run argv (NULL-terminated, argv[0] a path) with @env_kv ("K=V" or NULL)
 * added, capturing stdout and stderr. */
static void run(const char *const argv[], const char *env_kv, struct out *o)
{
	int op[2], ep[2], st;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	cr_assert_eq(pipe2(op, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(ep, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		unsetenv("LD_PRELOAD");
		if (env_kv)
			putenv((char *)env_kv);
		dup2(op[1], STDOUT_FILENO);
		dup2(ep[1], STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	drain(op[0], ep[0], o);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The client in @mode: natively, under `sim --kernel 5.4`, under `run
 * [--kernel 5.4]` (--via auto: ptrace on 5.4) or `run --kernel 5.4 --via
 * notify` (RUN_54N: the notify front end there, forced), or its dynamic
 * build with the shim preloaded (natively or under `sim --kernel 5.4`): what
 * the supervisor must equal. */
enum how { NATIVE, SIM_54, RUN, RUN_54, RUN_54N, SHIM, SHIM_54 };

static void client(enum how how, const char *mode, const char *env_kv, struct out *o)
{
	static char preload[4096];
	const char *argv[12], *so = getenv("BPFBATCH_SO");
	bool shim = how == SHIM || how == SHIM_54;
	int n = 0;

	if (how != NATIVE && how != SHIM) {
		argv[n++] = tool();
		argv[n++] = how == SIM_54 || how == SHIM_54 ? "sim" : "run";
		if (how != RUN) {
			argv[n++] = "--kernel";
			argv[n++] = "5.4";
		}
		if (how == RUN_54N) {
			argv[n++] = "--via";
			argv[n++] = "notify";
		}
		argv[n++] = "--";
	}
	if (shim) {
		cr_assert(so && *so, "BPFBATCH_SO is not set (run through meson test)");
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", so);
		argv[n++] = "/usr/bin/env";
		argv[n++] = preload;
	}
	argv[n++] = shim ? DYNAMIC_CLIENT : STATIC_CLIENT;
	argv[n++] = mode;
	argv[n] = NULL;
	run(argv, env_kv, o);
}

/* Supervised output must equal the native output, line for line. */
static void same_as_native(enum how how, const char *mode, const char *env_kv)
{
	static struct out native, sup;

	client(NATIVE, mode, NULL, &native);
	cr_assert_eq(native.status, 0, "native %s: exit %d: %s", mode, native.status, native.err);
	cr_assert(native.text[0], "native %s printed nothing", mode);
	client(how, mode, env_kv, &sup);
	cr_assert_eq(sup.status, 0, "supervised %s: exit %d: %s", mode, sup.status, sup.err);
	cr_assert_str_eq(sup.text, native.text, "supervised %s differs from native:\n%s\n---\n%s",
			 mode, sup.text, native.text);
}

TestSuite(launcher, .timeout = 120);

Test(launcher, static_client_fails_on_simulated_5_4)
{
	static struct out o;

	client(SIM_54, "basic", NULL, &o);
	cr_assert_eq(o.status, 0, "%s", o.err);
	cr_assert(strstr(o.text, "hash update: r=-22 count=40"), "%s", o.text);
	cr_assert(strstr(o.text, "array update: r=-22 count=40"), "%s", o.text);
	cr_assert(strstr(o.text, "hash lookup batch 7: end r=-22"), "%s", o.text);
}

Test(launcher, all_commands_emulated_under_run_kernel_5_4)
{
	same_as_native(RUN_54, "basic", NULL);
	same_as_native(RUN_54N, "basic", NULL);
}

Test(launcher, all_commands_native_through_run)
{
	same_as_native(RUN, "basic", NULL);
}

Test(launcher, bad_pointers_give_efault_emulated)
{
	same_as_native(RUN_54, "efault", NULL);
	same_as_native(RUN_54N, "efault", NULL);
}

Test(launcher, bad_pointers_give_efault_native)
{
	same_as_native(RUN, "efault", NULL);
}

/* A hash-family type whose keys are 8 bytes: its token is 4 (as the
 * preloaded shim answers; the kernel itself refuses the type). */
Test(launcher, hash_family_token_is_four_bytes)
{
	static struct out o;

	client(RUN, "token", NULL, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s", o.status, o.err);
	cr_assert_str_eq(o.text, "cgroup_storage lookup: r=-2 count=0\n"
				 "cgroup_storage lookup from its token: r=-2 count=0\n");
}

/* The program fd inside a DEVMAP value is the target's, taken over as
 * map fds are (as the preloaded shim answers; the kernel refuses the type):
 * by pidfd_getfd here, sent by the stopped thread on 5.4 (--via auto takes
 * ptrace there); notify forced on 5.4 cannot take it and answers EINVAL. */
Test(launcher, devmap_program_fd_is_the_targets)
{
	static const char served[] = "devmap update: r=0 count=2\n"
				     "devmap slot 0: r=0 ifindex=1 prog=ours\n"
				     "devmap slot 1: r=0 ifindex=1 prog=none\n";
	static struct out o;

	client(RUN, "devmap", NULL, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s", o.status, o.err);
	cr_assert_str_eq(o.text, served);
	client(RUN_54, "devmap", NULL, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s", o.status, o.err);
	cr_assert_str_eq(o.text, served);
	client(RUN_54N, "devmap", NULL, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s", o.status, o.err);
	cr_assert(strstr(o.text, "devmap update: r=-22 "), "%s", o.text);
	cr_assert(strstr(o.err, "--via notify is not exact here: no pidfd_getfd"), "%s", o.err);
}

/* Every lookup first made with keys, values or out_batch unwritable
 * (EFAULT), then repeated from the same token: every key exactly once, for
 * the hash family, LPM tries and array-like maps, emulated and native. */
static const char retry_text[] =
	"hash lookup retry: failed-calls-not-efault=0 returned=1000 dups=0 missing=0 badvals=0 "
	"left=1000 end=-2\n"
	"lpm_trie lookup retry: failed-calls-not-efault=0 returned=1000 dups=0 missing=0 "
	"badvals=0 left=1000 end=-2\n"
	"devmap lookup retry: failed-calls-not-efault=0 returned=1000 dups=0 missing=0 "
	"badvals=0 left=1000 end=-2\n";

static void expect_text(enum how how, const char *mode, const char *want)
{
	static struct out o;

	client(how, mode, NULL, &o);
	cr_assert_eq(o.status, 0, "%s (how %d): exit %d: %s", mode, how, o.status, o.err);
	cr_assert_str_eq(o.text, want, "%s (how %d):\n%s", mode, how, o.text);
}

Test(launcher, retry_after_efault_skips_nothing)
{
	expect_text(RUN_54, "retry", retry_text);
	expect_text(SHIM_54, "retry", retry_text);
	expect_text(RUN, "retry", retry_text);
	expect_text(SHIM, "retry", retry_text);
}

/* The same with lookup-and-delete where the emulation serves it: a call
 * that cannot hand its elements back deletes none of them. */
Test(launcher, drain_retry_after_efault_loses_nothing)
{
	static const char want[] =
		"hash lookup_and_delete retry: failed-calls-not-efault=0 returned=1000 dups=0 "
		"missing=0 badvals=0 left=0 end=-2\n"
		"lpm_trie lookup_and_delete retry: failed-calls-not-efault=0 returned=1000 dups=0 "
		"missing=0 badvals=0 left=0 end=-2\n"
		"devmap lookup_and_delete retry: failed-calls-not-efault=0 returned=1000 dups=0 "
		"missing=0 badvals=0 left=0 end=-2\n";

	expect_text(RUN_54, "drain", want);
	expect_text(SHIM_54, "drain", want);
}

/* Lookup-and-delete into buffers writable only in part: the supervisor
 * answers and deletes exactly what the preloaded shim does. */
Test(launcher, partial_writeback_as_the_shim)
{
	static struct out shim, sup;

	client(SHIM_54, "writeback", NULL, &shim);
	cr_assert_eq(shim.status, 0, "shim: exit %d: %s", shim.status, shim.err);
	client(RUN_54, "writeback", NULL, &sup);
	cr_assert_eq(sup.status, 0, "run: exit %d: %s", sup.status, sup.err);
	cr_assert_str_eq(sup.text, shim.text, "run:\n%s\n--- shim:\n%s", sup.text, shim.text);
	cr_assert(strstr(shim.text, "hash lookup_and_delete keys read-only: r=-14 count=0 "
				    "deleted=0\n"), "%s", shim.text);
}

/* The client itself starts `bpfbatch run @args -- client` holding an object
 * of every kind a value can name, which the child closes: every value and
 * map fd naming them must get the kernel's answer for the target. */
static void foreign(const char *const *args, const char *env_kv)
{
	static struct out o;
	const char *argv[8] = { STATIC_CLIENT, "foreign" };
	int n = 2, same = 0;

	for (; *args; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	run(argv, env_kv, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s%s", o.status, o.text, o.err);
	cr_assert(!strstr(o.text, "DIFFERENT"), "%s", o.text);
	for (const char *p = o.text; (p = strstr(p, ": same\n")); p++)
		same++;
	cr_assert_eq(same, 16, "%s", o.text);
}

Test(launcher, fds_the_target_does_not_hold_are_the_kernels_answer)
{
	static const char *const native[] = { NULL };
	static const char *const k54[] = { "--kernel", "5.4", NULL };
	static const char *const k54n[] = { "--kernel", "5.4", "--via", "notify", NULL };

	foreign(native, NULL);
	foreign(k54, NULL);
	foreign(k54, "BPFBATCH_SUPERVISOR_GETFD=fdinfo");
	foreign(k54n, "BPFBATCH_SUPERVISOR_GETFD=fdinfo");
}

Test(launcher, multithreaded_target)
{
	static struct out o;

	same_as_native(RUN_54, "threads", NULL);
	client(RUN_54, "threads", NULL, &o);
	cr_assert_str_eq(o.text, "threads: bad=0\n");
	client(RUN_54N, "threads", NULL, &o);
	cr_assert_str_eq(o.text, "threads: bad=0\n");
}

Test(launcher, forked_child_is_served)
{
	same_as_native(RUN_54, "fork", NULL);
	same_as_native(RUN_54N, "fork", NULL);
}

Test(launcher, exec_after_fork_is_served)
{
	same_as_native(RUN_54, "forkexec", NULL);
	same_as_native(RUN_54N, "forkexec", NULL);
}

Test(launcher, target_dies_mid_call)
{
	static struct out o;

	client(RUN_54, "die", NULL, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s", o.status, o.err);
	cr_assert_str_eq(o.text, "die: exiting\n");
}

/* The 4.16-5.5 path: the map reopened by id from the target's fdinfo,
 * through ptrace (auto) and notify (forced). */
Test(launcher, fdinfo_fallback_for_kernels_without_pidfd_getfd)
{
	same_as_native(RUN_54, "basic", "BPFBATCH_SUPERVISOR_GETFD=fdinfo");
	same_as_native(RUN_54, "efault", "BPFBATCH_SUPERVISOR_GETFD=fdinfo");
	same_as_native(RUN_54N, "basic", "BPFBATCH_SUPERVISOR_GETFD=fdinfo");
	same_as_native(RUN_54N, "efault", "BPFBATCH_SUPERVISOR_GETFD=fdinfo");
}

/*
 * A descendant that outlives the first child: notify serves it from 5.8 on
 * (the listener reports POLLHUP only when no task is left under the
 * filter); before, the first child's exit ends the supervision and the
 * descendant's batch calls meet a closed listener (ENOSYS), as on a real
 * 5.4 — which is why --via auto takes ptrace there, which serves it.
 */
static void orphan(const char *kernel, const char *via, struct out *o)
{
	char script[512];
	const char *argv[] = { tool(), "run", "--kernel", kernel, "--via", via, "--", "/bin/sh",
			       "-c", script, NULL };

	snprintf(script, sizeof(script), "(sleep 0.3; exec %s basic | head -n 1) & exit 0",
		 STATIC_CLIENT);
	run(argv, NULL, o);
}

Test(launcher, descendants_outliving_the_child_by_kernel)
{
	static struct out o;

	orphan("5.4", "notify", &o);
	cr_assert_eq(o.status, 0, "%s", o.err);
	cr_assert_str_eq(o.text, "hash update: r=-38 count=40\n");
	orphan("5.4", "auto", &o);
	cr_assert_eq(o.status, 0, "%s", o.err);
	cr_assert_str_eq(o.text, "hash update: r=0 count=40\n");
	orphan("5.10", "notify", &o);
	cr_assert_eq(o.status, 0, "%s", o.err);
	cr_assert_str_eq(o.text, "hash update: r=0 count=40\n");
}


/* A listener is taken: --via notify says so; the default takes ptrace. */
Test(launcher, nested_supervisor_is_refused_clearly)
{
	static struct out o;
	const char *argv[] = { tool(), "run", "--", tool(), "run", "--via", "notify", "--",
			       "/bin/true", NULL };

	run(argv, NULL, &o);
	cr_assert_eq(o.status, 2, "exit %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "cannot nest"), "%s", o.err);
}

Test(launcher, nested_supervisor_falls_back_to_ptrace)
{
	static struct out native, o;
	const char *argv[] = { tool(), "run", "--", tool(), "run", "--verbose", "--",
			       STATIC_CLIENT, "basic", NULL };

	client(NATIVE, "basic", NULL, &native);
	run(argv, NULL, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "front end ptrace (auto): a seccomp listener is already taken"),
		  "%s", o.err);
	cr_assert_str_eq(o.text, native.text);
}

/* ptrace refused (a container profile): auto is left with notify, exact on
 * this kernel; on 5.4 not, which it says, and the deviation shows. */
Test(launcher, no_ptrace_leaves_notify)
{
	static struct out o;
	const char *here[] = { NO_PTRACE, tool(), "run", "--", STATIC_CLIENT, "devmap", NULL };
	const char *k54[] = { NO_PTRACE, tool(), "run", "--kernel", "5.4", "--", STATIC_CLIENT,
			      "devmap", NULL };

	run(here, NULL, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s", o.status, o.err);
	cr_assert(strstr(o.text, "devmap slot 0: r=0 ifindex=1 prog=ours"), "%s", o.text);
	cr_assert(!strstr(o.err, "warning"), "%s", o.err);
	run(k54, NULL, &o);
	cr_assert_eq(o.status, 0, "exit %d: %s", o.status, o.err);
	cr_assert(strstr(o.text, "devmap update: r=-22 "), "%s", o.text);
	cr_assert(strstr(o.err, "warning: no ptrace here (EPERM); notify is not exact: no pidfd_getfd"),
		  "%s", o.err);
}

Test(launcher, exit_status_is_the_targets)
{
	static struct out o;
	const char *code[] = { tool(), "run", "--", "/bin/sh", "-c", "exit 7", NULL };
	const char *sig[] = { tool(), "run", "--", "/bin/sh", "-c", "kill -TERM $$", NULL };
	const char *missing[] = { tool(), "run", "--", "/nonexistent/cmd", NULL };

	run(code, NULL, &o);
	cr_assert_eq(o.status, 7);
	run(sig, NULL, &o);
	cr_assert_eq(o.status, 128 + 15);
	run(missing, NULL, &o);
	cr_assert_eq(o.status, 127);
	cr_assert(strstr(o.err, "cannot execute"), "%s", o.err);
}
