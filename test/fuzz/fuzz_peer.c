/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-fuzz-peer [--api] SOCKFD [FD...]: the fuzzer's emulated side.
 *
 * Executes the batch calls the fuzzer sends (test/request.h protocol, as the
 * conformance peer does) either through syscall(), which the preloaded shim
 * interposes, or (--api) through the C API, bpfbatch_map_*_batch(). The FDs
 * after SOCKFD were inherited at the fuzzer's own numbers (inner maps whose
 * numbers travel inside hash-of-maps values) and are checked at start-up.
 * No signal is handled: a bad pointer that crashes the peer is a shim bug,
 * and the fuzzer reports it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpfbatch.h>

#include "request.h"

#define MAX_FDS 64

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

/* The batch attr (offsets as in union bpf_attr) as a C API call; count is
 * written back as libbpf does, so the response reads it from the attr. */
static long api_call(int cmd, void *attr, unsigned int size)
{
	uint8_t *a = attr;
	uint64_t in, out, keys, values, elem_flags, flags;
	struct bpfbatch_opts o = { .sz = sizeof(o) };
	uint32_t count;
	int32_t fd;
	int r;

	memcpy(&in, a, 8);
	memcpy(&out, a + 8, 8);
	memcpy(&keys, a + 16, 8);
	memcpy(&values, a + 24, 8);
	memcpy(&count, a + 32, 4);
	memcpy(&fd, a + 36, 4);
	memcpy(&elem_flags, a + 40, 8);
	memcpy(&flags, a + 48, 8);
	o.elem_flags = elem_flags;
	o.flags = flags;
	switch (cmd) {
	case 24:
		r = bpfbatch_map_lookup_batch(fd, (void *)in, (void *)out, (void *)keys,
					      (void *)values, &count, &o);
		break;
	case 25:
		r = bpfbatch_map_lookup_and_delete_batch(fd, (void *)in, (void *)out, (void *)keys,
							 (void *)values, &count, &o);
		break;
	case 26:
		r = bpfbatch_map_update_batch(fd, (void *)keys, (void *)values, &count, &o);
		break;
	case 27:
		r = bpfbatch_map_delete_batch(fd, (void *)keys, &count, &o);
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	memcpy(a + 32, &count, 4);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
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

static bool is_bpf_map(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return !strcmp(link, "anon_inode:bpf-map");
}

static int recv_req(int sock, void *buf, size_t cap, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0 || (mh.msg_flags & MSG_TRUNC))
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return (int)n;
}

int main(int argc, char **argv)
{
	rq_bpf_fn fn = NULL;
	uint8_t *req, *resp;
	int sock, a = 1, bad_inherit = 0;

	if (a < argc && !strcmp(argv[a], "--api")) {
		fn = api_call;
		a++;
	}
	if (a >= argc) {
		fprintf(stderr, "usage: %s [--api] SOCKFD [FD...]\n", argv[0]);
		return 2;
	}
	sock = atoi(argv[a++]);
	for (; a < argc; a++)
		if (!is_bpf_map(atoi(argv[a])))
			bad_inherit = EBADF;
	req = malloc(RQ_MSG_MAX);
	resp = malloc(RQ_MSG_MAX);
	if (!req || !resp)
		return 1;

	for (;;) {
		const struct rq_hdr *h = (const struct rq_hdr *)req;
		struct rs_hdr *rs = (struct rs_hdr *)resp;
		size_t rlen = sizeof(*rs);
		int fd, n = recv_req(sock, req, RQ_MSG_MAX, &fd);

		if (n < (int)sizeof(uint32_t))
			return 0; /* the fuzzer went away */
		memset(rs, 0, sizeof(*rs));
		switch (h->op) {
		case RQ_HELLO:
			rs->err = bad_inherit;
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
