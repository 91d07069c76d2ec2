/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "common/sigfwd.h"

#include <errno.h>
#include <sys/signalfd.h>
#include <unistd.h>

void sigfwd_block(struct sigfwd *f)
{
	f->fd = -1;
	sigemptyset(&f->set);
	sigaddset(&f->set, SIGCHLD);
	sigaddset(&f->set, SIGINT);
	sigaddset(&f->set, SIGTERM);
	sigaddset(&f->set, SIGHUP);
	sigaddset(&f->set, SIGQUIT);
	sigaddset(&f->set, SIGUSR1);
	sigaddset(&f->set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &f->set, &f->old);
}

int sigfwd_open(struct sigfwd *f)
{
	f->fd = signalfd(-1, &f->set, SFD_CLOEXEC | SFD_NONBLOCK);
	return f->fd < 0 ? -errno : 0;
}

bool sigfwd_drain(struct sigfwd *f, pid_t target)
{
	struct signalfd_siginfo si;
	bool child = false;

	while (read(f->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			child = true;
		else if (target > 0 && si.ssi_code != SI_KERNEL)
			kill(target, (int)si.ssi_signo);
	}
	return child;
}

void sigfwd_close(struct sigfwd *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
