/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "common/spawn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fdpass.h"

/* The command could not be executed, as a shell says it. */
#define NOEXEC_STATUS 127

/* The set-up's verdict: err (0 or a positive errno), what it has to say
 * (info) and, if @fd >= 0, the fd. */
struct verdict {
	int err;
	int info;
};

/* 0 or -errno. */
static int handover_send(int sock, const struct verdict *v, int fd)
{
	ssize_t n = fdpass_send(sock, v, sizeof(*v), fd);

	return n < 0 ? (int)n : 0;
}

/* The child's verdict on its set-up: 0, *info and *fd (-1: none), or
 * -errno; -EPIPE when it died before saying. */
static int handover_recv(int sock, int *info, int *fd)
{
	struct verdict v = { 0, 0 };

	if (fdpass_recv(sock, &v, sizeof(v), fd) != sizeof(v))
		return -EPIPE;
	if (v.err && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	*info = v.info;
	return -v.err;
}

static void __attribute__((noreturn)) child(const struct spawn_opts *o, int sock)
{
	int fd = -1, r = o->setup ? o->setup(o->arg, &fd) : 0, e;
	struct verdict v = { r < 0 ? -r : 0, r < 0 ? 0 : r };

	if (handover_send(sock, &v, r < 0 ? -1 : fd) < 0 || r < 0)
		_exit(EXIT_FAILURE);
	if (fd >= 0)
		close(fd);
	if (o->mask)
		sigprocmask(SIG_SETMASK, o->mask, NULL);
	execvp(o->argv[0], o->argv);
	/* The socket is close-on-exec: the parent reads EOF after a successful
	 * exec, and this errno otherwise. */
	e = errno;
	if (write(sock, &e, sizeof(e)) < 0)
		_exit(NOEXEC_STATUS);
	_exit(NOEXEC_STATUS);
}

int spawn_start(struct spawn *s, const struct spawn_opts *o)
{
	int sv[2], e;

	memset(s, 0, sizeof(*s));
	s->sock = -1;
	/* Datagrams: the set-up's verdict and the exec's errno stay apart. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (s->pid == 0) {
		close(sv[0]);
		child(o, sv[1]);
	}
	close(sv[1]);
	s->sock = sv[0];
	return 0;
}

static void reap(struct spawn *s)
{
	while (!s->done && waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR)
		;
	s->done = true;
}

int spawn_finish(struct spawn *s, int *handover)
{
	ssize_t n;
	int r, e;

	r = handover_recv(s->sock, &s->info, handover);
	if (r == 0) {
		do
			n = read(s->sock, &e, sizeof(e));
		while (n < 0 && errno == EINTR);
		if (n == sizeof(e)) {
			s->stage = SPAWN_EXEC;
			r = -e;
			if (*handover >= 0)
				close(*handover);
			*handover = -1;
		}
	} else {
		s->stage = SPAWN_SETUP;
	}
	close(s->sock);
	s->sock = -1;
	if (r < 0)
		reap(s);
	return r;
}

void spawn_abort(struct spawn *s)
{
	if (s->sock >= 0)
		close(s->sock);
	s->sock = -1;
	kill(s->pid, SIGKILL);
	reap(s);
}

bool spawn_reap(struct spawn *s)
{
	while (!s->done && waitpid(s->pid, &s->status, WNOHANG) == s->pid)
		s->done = true;
	return s->done;
}

int spawn_wait(struct spawn *s)
{
	while (!s->done) {
		if (waitpid(s->pid, &s->status, 0) == s->pid)
			s->done = true;
		else if (errno != EINTR)
			return 1;
	}
	return spawn_exit_code(s->status);
}

int spawn_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
