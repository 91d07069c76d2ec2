/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "peer_serve.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fdpass.h"

#define MAX_FDS 256

static struct {
	int test_fd;
	int fd;
} fds[MAX_FDS];
static int nfds;

static int lookup_fd(int test_fd)
{
	for (int i = 0; i < nfds; i++)
		if (fds[i].test_fd == test_fd)
			return fds[i].fd;
	return -1;
}

static void forget_fd(int test_fd)
{
	for (int i = 0; i < nfds; i++) {
		if (fds[i].test_fd != test_fd)
			continue;
		close(fds[i].fd);
		fds[i] = fds[--nfds];
		return;
	}
}

static int remember_fd(int test_fd, int fd)
{
	forget_fd(test_fd);
	if (nfds == MAX_FDS) {
		close(fd);
		return EMFILE;
	}
	fds[nfds].test_fd = test_fd;
	fds[nfds].fd = fd;
	nfds++;
	return 0;
}

/* errno of BPF_MAP_LOOKUP_BATCH on fd -1 through the given syscall(). */
static int probe(long (*call)(long, ...))
{
	uint8_t attr[56] = { 0 };
	int minus_one = -1;

	memcpy(attr + 36, &minus_one, 4);
	errno = 0;
	if (call(__NR_bpf, 24, attr, 56) < 0)
		return errno;
	return 0;
}

/* libc's own syscall(), past the interposer: what the (simulated) kernel says. */
static int probe_raw(void)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	long (*raw)(long, ...) = libc ? (long (*)(long, ...))dlsym(libc, "syscall") : NULL;

	return raw ? probe(raw) : -1;
}

int peer_serve(int sock, rq_bpf_fn fn, int hello_err)
{
	uint8_t *req = malloc(RQ_MSG_MAX), *resp = malloc(RQ_MSG_MAX);

	if (!req || !resp)
		return 1;
	for (;;) {
		const struct rq_hdr *h = (const struct rq_hdr *)req;
		struct rs_hdr *rs = (struct rs_hdr *)resp;
		size_t rlen = sizeof(*rs);
		int fd;
		ssize_t n = fdpass_recv(sock, req, RQ_MSG_MAX, &fd);

		if (n < (ssize_t)sizeof(uint32_t))
			return 0; /* the test went away */
		memset(rs, 0, sizeof(*rs));
		switch (h->op) {
		case RQ_HELLO:
			rs->err = hello_err;
			rs->probe_raw_err = probe_raw();
			rs->probe_shim_err = probe(syscall);
			break;
		case RQ_ADD_FD:
			rs->err = fd < 0 ? EBADF : remember_fd(h->fd, fd);
			break;
		case RQ_DEL_FD:
			forget_fd(h->fd);
			break;
		case RQ_BPF:
			rlen = rq_exec_with(req, (size_t)n, lookup_fd(h->fd), resp, RQ_MSG_MAX, fn);
			break;
		case RQ_QUIT:
			return 0;
		default:
			rs->err = EPROTO;
			break;
		}
		if (send(sock, resp, rlen, MSG_NOSIGNAL) < 0)
			return 1;
	}
}
