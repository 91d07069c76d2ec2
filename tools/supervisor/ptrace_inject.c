/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/ptrace_inject.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/target_mem.h"
#include "supervisor/ptrace_stop.h"

#define SCRATCH 4096u

/* The supervisor's end: an autobound abstract address (no file, so it works
 * in any mount namespace and an empty root), credentials on. */
static int rx = -1;
static struct sockaddr_un rx_addr;
static socklen_t rx_len;

static int rx_open(void)
{
	int one = 1;

	if (rx >= 0)
		return 0;
	rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (rx < 0)
		return -errno;
	rx_len = sizeof(sa_family_t);
	rx_addr.sun_family = AF_UNIX;
	/* Binding with the family alone asks the kernel for a unique name. */
	if (bind(rx, (struct sockaddr *)&rx_addr, rx_len) < 0 ||
	    setsockopt(rx, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		goto fail;
	rx_len = sizeof(rx_addr);
	if (getsockname(rx, (struct sockaddr *)&rx_addr, &rx_len) < 0)
		goto fail;
	return 0;
fail:
	close(rx);
	rx = -1;
	return -EIO;
}

void pi_init(struct pi *p, pid_t tid, const struct pr_regs *regs)
{
	memset(p, 0, sizeof(*p));
	p->tid = tid;
	p->saved = *regs;
	p->sock = -1;
}

/* Resume with PTRACE_SYSCALL until the next syscall stop; signals that come
 * first are held. 0, or -ESRCH once the thread is gone. */
static int step(struct pi *p)
{
	struct ps_stop s;
	siginfo_t si;
	int st, sig = 0;
	pid_t w;

	for (;;) {
		if (ptrace(PTRACE_SYSCALL, p->tid, 0, sig) < 0)
			return -ESRCH;
		sig = 0;
		do
			w = waitpid(p->tid, &st, __WALL);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			return -ESRCH;
		ps_decode(p->tid, st, &s);
		switch (s.kind) {
		case PS_GONE:
			p->gone = true;
			p->status = st;
			return -ESRCH;
		case PS_SYSCALL:
			return 0;
		case PS_SIGNAL:
			if (ptrace(PTRACE_GETSIGINFO, p->tid, 0, &si) == 0)
				ps_hold(p->tid, &si);
			break;
		default:
			/* A job control stop now would park the supervisor
			 * with it: the thread finishes the call first. */
			break;
		}
	}
}

/* Run @nr(@a...) in the thread; its result or -errno, -ESRCH if it died. */
static long inject(struct pi *p, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		   uint64_t a4, uint64_t a5)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	struct pr_regs r = p->at;

	pr_redo(&r, nr, a);
	if (pr_set(p->tid, &r) < 0 || step(p) < 0)
		return -ESRCH;
	if (step(p) < 0 || pr_get(p->tid, &p->at) < 0)
		return -ESRCH;
	return pr_ret(&p->at);
}

/* Skip the trapped call into its exit stop, map a page and open a socket. */
static int begin(struct pi *p)
{
	struct pr_regs r = p->saved;
	long v;

	if (!pr_native(&p->saved))
		return -EOPNOTSUPP; /* a 32-bit target: other numbers, other structs */
	pr_skip(&r, -ENOSYS);
	if (pr_set(p->tid, &r) < 0 || step(p) < 0 || pr_get(p->tid, &p->at) < 0)
		return -ESRCH;
	p->active = true;
	v = inject(p, SYS_mmap, 0, SCRATCH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   (uint64_t)-1, 0);
	if (v < 0 && v > -4096)
		return (int)v;
	p->scratch = (uint64_t)v;
	v = inject(p, SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0, 0, 0);
	if (v < 0)
		return (int)v;
	p->sock = (int)v;
	return 0;
}

/* What the target sends: a nonce naming this request, and the fd. */
struct msg {
	struct msghdr mh;
	struct iovec iov;
	uint64_t nonce;
	struct sockaddr_un to;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
};

/* The message as it sits in the target's scratch page. */
static void build(struct msg *m, uint64_t at, int fd, uint64_t nonce)
{
	memset(m, 0, sizeof(*m));
	m->nonce = nonce;
	m->to = rx_addr;
	m->iov.iov_base = (void *)(uintptr_t)(at + offsetof(struct msg, nonce));
	m->iov.iov_len = sizeof(nonce);
	m->mh.msg_name = (void *)(uintptr_t)(at + offsetof(struct msg, to));
	m->mh.msg_namelen = rx_len;
	m->mh.msg_iov = (void *)(uintptr_t)(at + offsetof(struct msg, iov));
	m->mh.msg_iovlen = 1;
	m->mh.msg_control = (void *)(uintptr_t)(at + offsetof(struct msg, c));
	m->mh.msg_controllen = sizeof(m->c.buf);
	m->c.h.cmsg_level = SOL_SOCKET;
	m->c.h.cmsg_type = SCM_RIGHTS;
	m->c.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&m->c.h), &fd, sizeof(fd));
}

/* The fd that came with @nonce; other senders' messages are dropped (and
 * their fds closed). */
static int receive(uint64_t nonce)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
	} c;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *h;
	uint64_t got;
	ssize_t n;
	int fd;

	for (;;) {
		iov = (struct iovec){ .iov_base = &got, .iov_len = sizeof(got) };
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
				      .msg_controllen = sizeof(c.buf) };
		n = recvmsg(rx, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0)
			return errno == EINTR ? -EINTR : -EIO;
		fd = -1;
		for (h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
			if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(h), sizeof(fd));
		if (n == sizeof(got) && got == nonce && fd >= 0)
			return fd;
		if (fd >= 0)
			close(fd);
	}
}

int pi_take_fd(void *arg, int fd)
{
	struct pi *p = arg;
	struct msg m;
	struct tm_span s = { .local = &m, .len = sizeof(m) };
	uint64_t nonce;
	long r;

	if (fd < 0)
		return -EBADF;
	if (rx_open() < 0 || getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
		return -EIO;
	if (!p->active || !p->scratch || p->sock < 0) {
		if (p->active)
			return -EIO; /* set-up failed earlier in this call */
		r = begin(p);
		if (r < 0)
			return (int)r;
	}
	build(&m, p->scratch, fd, nonce);
	s.remote = p->scratch;
	if (tm_write(p->tid, &s, 1) != 1)
		return -EIO;
	r = inject(p, SYS_sendmsg, (uint64_t)p->sock, p->scratch, MSG_DONTWAIT | MSG_NOSIGNAL,
		   0, 0, 0);
	if (r < 0)
		return r == -EBADF ? -EBADF : (int)r;
	return receive(nonce);
}

int pi_finish(struct pi *p, long ret)
{
	struct pr_regs r;

	if (!p->active || p->gone)
		return p->gone ? -ESRCH : 0;
	if (p->sock >= 0)
		inject(p, SYS_close, (uint64_t)p->sock, 0, 0, 0, 0, 0);
	if (p->scratch)
		inject(p, SYS_munmap, p->scratch, SCRATCH, 0, 0, 0, 0);
	if (p->gone)
		return -ESRCH;
	pr_restore(&r, &p->saved, ret);
	if (pr_set(p->tid, &r) < 0)
		return -ESRCH;
	ps_release(p->tid);
	return ptrace(PTRACE_CONT, p->tid, 0, 0) < 0 ? -errno : 0;
}
