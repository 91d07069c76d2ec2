/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The calling thread's own calls made faithful: a process cannot serve a
 * listener from a thread that waits on it, so a thread started before the
 * filter (and so not under it, filters being per thread) serves it. Used by
 * `bpfbatch run --kernel`, whose own bpf() calls must meet the same per-type
 * and per-argument rules as any process under `bpfbatch sim`.
 */
#include "sim/sim_self.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "platform/kversion.h"
#include "sim/sim.h"
#include "sim/sim_notify.h"

struct server {
	unsigned int major, minor;
	int pipe[2]; /* the listener, from the installing thread */
};

static void *serve(void *arg)
{
	struct server *sv = arg;
	int listener = -1;
	ssize_t n;

	do
		n = read(sv->pipe[0], &listener, sizeof(listener));
	while (n < 0 && errno == EINTR);
	close(sv->pipe[0]);
	if (n == sizeof(listener) && listener >= 0) {
		/* Until the process exits: it never leaves the filter. */
		sim_notify_serve(listener, sv->major, sv->minor);
		close(listener);
	}
	return NULL;
}

int sim_install_self(unsigned major, unsigned minor)
{
	static struct server sv; /* the thread's, for the life of the process */
	pthread_attr_t at;
	pthread_t th;
	sigset_t all, old;
	int listener = -1, r;

	if (!sim_notify_needed(major, minor))
		return sim_install(major, minor);
	sv.major = major;
	sv.minor = minor;
	if (pipe2(sv.pipe, O_CLOEXEC) < 0)
		return -errno;
	/* The server takes no signal of the process's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	r = -pthread_create(&th, &at, serve, &sv);
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		close(sv.pipe[0]);
		close(sv.pipe[1]);
		return r;
	}
	r = sim_install_faithful(major, minor, &listener);
	/* -1 on failure: the server ends at once. */
	if (write(sv.pipe[1], &listener, sizeof(listener)) != sizeof(listener) && !r)
		r = -EPIPE;
	close(sv.pipe[1]);
	return r;
}
