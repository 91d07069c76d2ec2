/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

#define MAX_ARGS 32

const char *e2e_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "e2e: %s is not set (run through meson test)\n", name);
		abort();
	}
	return v;
}

static void child(const char *kernel, bool preload, const char *const argv[],
		  int out_fd, int err_fd)
{
	const char *args[MAX_ARGS + 6];
	size_t n = 0, i;

	if (kernel) {
		args[n++] = e2e_env("BPFBATCH_TOOL");
		args[n++] = "sim";
		args[n++] = "--kernel";
		args[n++] = kernel;
		args[n++] = "--";
	}
	for (i = 0; argv[i] && i < MAX_ARGS; i++)
		args[n++] = argv[i];
	args[n] = NULL;

	if (preload)
		setenv("LD_PRELOAD", e2e_env("BPFBATCH_SO"), 1);
	else
		unsetenv("LD_PRELOAD");
	if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
		_exit(126);
	close(out_fd);
	close(err_fd);
	execv(args[0], (char *const *)args);
	fprintf(stderr, "e2e: exec %s: %s\n", args[0], strerror(errno));
	_exit(127);
}

/* Drain both pipes together so neither can fill up and block the child. */
static void drain(int out_fd, int err_fd, struct e2e_out *res)
{
	struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
	char *bufs[2] = { res->out, res->err };
	size_t caps[2] = { sizeof(res->out) - 1, sizeof(res->err) - 1 };
	size_t lens[2] = { 0, 0 };
	char scratch[512];
	int open_fds = 2, i;
	ssize_t r;

	while (open_fds > 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (lens[i] < caps[i])
				r = read(p[i].fd, bufs[i] + lens[i], caps[i] - lens[i]);
			else
				r = read(p[i].fd, scratch, sizeof(scratch));
			if (r > 0 && lens[i] < caps[i])
				lens[i] += (size_t)r;
			if (r == 0 || (r < 0 && errno != EINTR)) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	res->out[lens[0]] = '\0';
	res->err[lens[1]] = '\0';
}

int e2e_run(const char *kernel, bool preload, const char *const argv[],
	    struct e2e_out *res)
{
	int outp[2], errp[2], st;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(outp[0]);
		close(outp[1]);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		st = -errno;
		close(outp[0]);
		close(outp[1]);
		close(errp[0]);
		close(errp[1]);
		return st;
	}
	if (pid == 0)
		child(kernel, preload, argv, outp[1], errp[1]);
	close(outp[1]);
	close(errp[1]);
	drain(outp[0], errp[0], res);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
