/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-test-peer: executes batch calls sent by the conformance tests.
 *
 * Started as "[bpfbatch sim --kernel X --] env LD_PRELOAD=libbpfbatch.so
 * bpfbatch-test-peer SOCKFD", so every bpf() call it makes through glibc's
 * syscall() is served by the shim. It keeps the map fds it is sent (keyed by
 * the test's fd number), executes each request with rq_exec() and answers.
 * It handles no signal: a bad pointer that crashes it is a shim bug that the
 * test reports.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "request.h"

#define MAX_FDS 256

struct fdmap {
	int test_fd;
	int fd;
};

static struct fdmap fds[MAX_FDS];
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

static void remember_fd(int test_fd, int fd)
{
	forget_fd(test_fd);
	if (nfds == MAX_FDS) {
		close(fd);
		return;
	}
	fds[nfds].test_fd = test_fd;
	fds[nfds].fd = fd;
	nfds++;
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

static void hello(struct rs_hdr *rs)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	long (*raw)(long, ...) = libc ? (long (*)(long, ...))dlsym(libc, "syscall") : NULL;

	memset(rs, 0, sizeof(*rs));
	rs->probe_raw_err = raw ? probe(raw) : -1;
	rs->probe_shim_err = probe(syscall);
}

static int recv_req(int sock, void *buf, size_t cap, int *fd)
{
	ssize_t n = fdpass_recv(sock, buf, cap, fd);

	return n <= 0 ? -1 : (int)n;
}

int main(int argc, char **argv)
{
	uint8_t *req, *resp;
	int sock;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SOCKFD\n", argv[0]);
		return 2;
	}
	sock = atoi(argv[1]);
	req = malloc(RQ_MSG_MAX);
	resp = malloc(RQ_MSG_MAX);
	if (!req || !resp)
		return 1;

	for (;;) {
		const struct rq_hdr *h = (const struct rq_hdr *)req;
		size_t rlen = sizeof(struct rs_hdr);
		int fd, n = recv_req(sock, req, RQ_MSG_MAX, &fd);

		if (n < (int)sizeof(uint32_t))
			return 0;	/* the test went away */
		memset(resp, 0, sizeof(struct rs_hdr));
		switch (h->op) {
		case RQ_HELLO:
			hello((struct rs_hdr *)resp);
			break;
		case RQ_ADD_FD:
			if (fd < 0)
				((struct rs_hdr *)resp)->err = EBADF;
			else
				remember_fd(h->fd, fd);
			break;
		case RQ_DEL_FD:
			forget_fd(h->fd);
			break;
		case RQ_BPF:
			rlen = rq_exec(req, (size_t)n, lookup_fd(h->fd), resp, RQ_MSG_MAX);
			break;
		case RQ_QUIT:
			return 0;
		default:
			((struct rs_hdr *)resp)->err = EPROTO;
			break;
		}
		if (send(sock, resp, rlen, MSG_NOSIGNAL) < 0)
			return 1;
	}
}
