/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/ptrace_stop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Held at most per thread: the kernel keeps one of each standard signal
 * pending, and a supervisor's few syscalls leave little room for more. */
#define HELD_MAX 32

struct held {
	pid_t tid;
	unsigned int n;
	siginfo_t q[HELD_MAX];
};

static struct held *held;
static size_t nheld;

void ps_decode(pid_t tid, int status, struct ps_stop *s)
{
	int sig = WSTOPSIG(status), event = (unsigned int)status >> 16;

	memset(s, 0, sizeof(*s));
	s->tid = tid;
	s->status = status;
	if (!WIFSTOPPED(status)) {
		s->kind = PS_GONE;
		return;
	}
	s->sig = sig;
	s->event = event;
	if (event == PTRACE_EVENT_SECCOMP)
		s->kind = PS_SECCOMP;
	else if (sig == (SIGTRAP | 0x80))
		s->kind = PS_SYSCALL;
	else if (event == PTRACE_EVENT_STOP && (sig == SIGSTOP || sig == SIGTSTP ||
						 sig == SIGTTIN || sig == SIGTTOU))
		s->kind = PS_GROUP_STOP; /* seized: a new tracee's stop is SIGTRAP */
	else if (event)
		s->kind = PS_EVENT;
	else
		s->kind = PS_SIGNAL;
}

int ps_resume(const struct ps_stop *s)
{
	long r;

	if (s->kind == PS_GONE)
		return 0;
	if (s->kind == PS_GROUP_STOP)
		r = ptrace(PTRACE_LISTEN, s->tid, 0, 0);
	else
		r = ptrace(PTRACE_CONT, s->tid, 0, s->kind == PS_SIGNAL ? s->sig : 0);
	return r < 0 ? -errno : 0;
}

static struct held *find(pid_t tid, bool add)
{
	struct held *h;

	for (size_t i = 0; i < nheld; i++)
		if (held[i].tid == tid)
			return &held[i];
	if (!add)
		return NULL;
	h = realloc(held, (nheld + 1) * sizeof(*held));
	if (!h)
		return NULL;
	held = h;
	h = &held[nheld++];
	h->tid = tid;
	h->n = 0;
	return h;
}

void ps_hold(pid_t tid, const siginfo_t *si)
{
	struct held *h = find(tid, true);

	if (!h)
		return;
	/* A standard signal already pending is not queued twice by the
	 * kernel either; real-time signals queue. */
	if (si->si_signo < SIGRTMIN)
		for (unsigned int i = 0; i < h->n; i++)
			if (h->q[i].si_signo == si->si_signo)
				return;
	if (h->n < HELD_MAX)
		h->q[h->n++] = *si;
}

/* Send the first held signal; it shows up as a signal-delivery-stop. */
static void resend(const struct held *h)
{
	if (h->n)
		syscall(SYS_tkill, h->tid, h->q[0].si_signo);
}

void ps_release(pid_t tid)
{
	const struct held *h = find(tid, false);

	if (h)
		resend(h);
}

void ps_restore_held(const struct ps_stop *s)
{
	struct held *h = find(s->tid, false);
	siginfo_t si;

	if (!h || !h->n || h->q[0].si_signo != s->sig)
		return;
	if (ptrace(PTRACE_GETSIGINFO, s->tid, 0, &si) < 0)
		return;
	/* Ours: tkill'ed by this process. Anything else is the target's own
	 * signal, which goes on as it is. */
	if (si.si_code != SI_TKILL || (si.si_pid != getpid() && si.si_pid != 0))
		return;
	ptrace(PTRACE_SETSIGINFO, s->tid, 0, &h->q[0]);
	memmove(&h->q[0], &h->q[1], (h->n - 1) * sizeof(h->q[0]));
	h->n--;
	resend(h);
}

void ps_forget(pid_t tid)
{
	struct held *h = find(tid, false);

	if (h)
		*h = held[--nheld];
}
