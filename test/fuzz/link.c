/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fdpass.h"

#define PEER_TIMEOUT_MS 60000

/* $name, or the build tree's file at rel from this executable's directory
 * (so the fuzzer also runs by hand from the build directory). */
static const char *path_of(const char *name, const char *rel, char *buf, size_t len)
{
	const char *v = getenv(name);
	char exe[PATH_MAX];
	ssize_t n;

	if (v && *v)
		return v;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return rel;
	exe[n] = '\0';
	snprintf(buf, len, "%s/%s", dirname(exe), rel);
	return buf;
}

void fz_link_local(struct fz_link *l)
{
	memset(l, 0, sizeof(*l));
	l->pid = -1;
	l->sock = -1;
	l->resp = malloc(RQ_MSG_MAX);
	l->req = malloc(RQ_MSG_MAX);
	if (!l->resp || !l->req)
		abort();
}

static void peer_gone(struct fz_link *l, const char *what)
{
	int status;
	pid_t r = waitpid(l->pid, &status, WNOHANG);

	if (r == 0) {
		usleep(200000);
		r = waitpid(l->pid, &status, WNOHANG);
	}
	if (r != l->pid)
		snprintf(l->died, sizeof(l->died), "peer %s (still running)", what);
	else if (WIFSIGNALED(status))
		snprintf(l->died, sizeof(l->died), "peer %s: killed by signal %d (%s)", what,
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(l->died, sizeof(l->died), "peer %s: exited with status %d", what,
			 WEXITSTATUS(status));
	if (r != l->pid) {
		kill(l->pid, SIGKILL);
		waitpid(l->pid, &status, 0);
	}
	l->pid = -1;
}

static int send_msg(struct fz_link *l, const void *msg, size_t len, int fd)
{
	if (fdpass_send(l->sock, msg, len, fd) == (ssize_t)len)
		return 0;
	peer_gone(l, "cannot be sent a request");
	return -1;
}

static ssize_t recv_msg(struct fz_link *l)
{
	struct pollfd pfd = { .fd = l->sock, .events = POLLIN };
	ssize_t n;
	int r;

	do {
		r = poll(&pfd, 1, PEER_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r == 0) {
		peer_gone(l, "did not answer within 60 s (hung)");
		return -1;
	}
	do {
		n = recv(l->sock, l->resp, RQ_MSG_MAX, 0);
	} while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(struct rs_hdr)) {
		peer_gone(l, "closed the connection");
		return -1;
	}
	return n;
}

static int simple(struct fz_link *l, uint32_t op, int test_fd, int pass_fd, struct rs_hdr *rs)
{
	struct rq_hdr *h = (struct rq_hdr *)l->req;

	memset(h, 0, sizeof(*h));
	h->op = op;
	h->fd = test_fd;
	if (send_msg(l, h, sizeof(*h), pass_fd) || recv_msg(l) < 0)
		return -1;
	memcpy(rs, l->resp, sizeof(*rs));
	return 0;
}

int fz_link_start(struct fz_link *l, const struct fz_cfg *cfg, const int *keep, int nkeep)
{
	char tb[PATH_MAX], sb[PATH_MAX], pb[PATH_MAX], preload[PATH_MAX + 16], fdstr[16];
	char keepstr[32][16];
	const char *tool = path_of("BPFBATCH_TOOL", "../../tools/bpfbatch", tb, sizeof(tb));
	const char *so = path_of("BPFBATCH_SO", "../../shim/libbpfbatch.so", sb, sizeof(sb));
	const char *peer = path_of("BPFBATCH_FUZZ_PEER", "bpfbatch-fuzz-peer", pb, sizeof(pb));
	const char *argv[64];
	struct rs_hdr rs;
	int sv[2], n = 0;

	fz_link_local(l);
	l->remote = true;
	if (nkeep > 32 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", so);
	snprintf(fdstr, sizeof(fdstr), "%d", sv[1]);
	if (cfg->kernel) {
		argv[n++] = tool;
		argv[n++] = "sim";
		argv[n++] = "--kernel";
		argv[n++] = cfg->kernel;
		argv[n++] = "--";
	}
	argv[n++] = "env";
	argv[n++] = "-u";
	argv[n++] = "BPFBATCH_LOG";
	argv[n++] = "-u";
	argv[n++] = "LD_PRELOAD";
	if (getenv("BPFBATCH_FUZZ_PEER_LOG"))
		argv[n++] = "BPFBATCH_LOG=1";
	if (!cfg->api)
		argv[n++] = preload;
	argv[n++] = cfg->emulate ? "BPFBATCH_MODE=emulate" : "BPFBATCH_MODE=auto";
	argv[n++] = peer;
	if (cfg->api)
		argv[n++] = "--api";
	argv[n++] = fdstr;
	for (int i = 0; i < nkeep; i++) {
		snprintf(keepstr[i], sizeof(keepstr[i]), "%d", keep[i]);
		argv[n++] = keepstr[i];
	}
	argv[n] = NULL;

	fflush(NULL);
	l->pid = fork();
	if (l->pid < 0)
		return -1;
	if (l->pid == 0) {
		fcntl(sv[1], F_SETFD, 0);
		for (int i = 0; i < nkeep; i++)
			fcntl(keep[i], F_SETFD, 0);
		close(sv[0]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(sv[1]);
	l->sock = sv[0];
	if (simple(l, RQ_HELLO, -1, -1, &rs))
		return -1;
	/* The peer's raw cmd 24 on fd -1: EINVAL only if the simulator is in
	 * effect, EBADF on this kernel. */
	if (rs.err || rs.probe_raw_err != (cfg->kernel ? EINVAL : EBADF)) {
		snprintf(l->died, sizeof(l->died),
			 "peer start-up: status %d, raw probe errno %d (want %s)", rs.err,
			 rs.probe_raw_err, cfg->kernel ? "EINVAL: simulated" : "EBADF");
		fz_link_stop(l);
		return -1;
	}
	return 0;
}

void fz_link_stop(struct fz_link *l)
{
	struct rq_hdr h = { .op = RQ_QUIT };
	int status;

	if (l->remote && l->pid > 0) {
		send(l->sock, &h, sizeof(h.op), MSG_NOSIGNAL);
		for (int i = 0; i < 200 && waitpid(l->pid, &status, WNOHANG) != l->pid; i++)
			usleep(5000);
		if (kill(l->pid, 0) == 0) {
			kill(l->pid, SIGKILL);
			waitpid(l->pid, &status, 0);
		}
	}
	if (l->sock >= 0)
		close(l->sock);
	free(l->req);
	free(l->resp);
	memset(l, 0, sizeof(*l));
	l->pid = -1;
	l->sock = -1;
}

int fz_link_add_fd(struct fz_link *l, int fd)
{
	struct rs_hdr rs;

	if (!l->remote)
		return 0;
	if (simple(l, RQ_ADD_FD, fd, fd, &rs))
		return -1;
	return rs.err ? -1 : 0;
}

void fz_link_del_fd(struct fz_link *l, int fd)
{
	struct rs_hdr rs;

	if (l->remote && l->pid > 0)
		simple(l, RQ_DEL_FD, fd, -1, &rs);
}

static size_t encode(const struct fz_call *c, uint8_t *msg)
{
	struct rq_hdr *h = (struct rq_hdr *)msg;
	uint8_t *d = msg + sizeof(*h);

	memset(h, 0, sizeof(*h));
	h->op = RQ_BPF;
	h->cmd = c->cmd;
	h->attr_size = 56;
	h->attr_kind = c->attr_rdonly ? RQ_ATTR_RDONLY : RQ_ATTR_VALID;
	h->fd_kind = RQ_FD_MAP;
	h->fd = c->fd;
	memcpy(h->attr + 32, &c->count, 4);
	memcpy(h->attr + 40, &c->elem_flags, 8);
	memcpy(h->attr + 48, &c->flags, 8);
	for (int i = 0; i < RQ_NBUF; i++) {
		const struct fz_buf *b = &c->buf[i];

		h->buf[i].kind = b->kind;
		h->buf[i].len = b->len;
		if (b->kind != RQ_VALID && b->kind != RQ_RDONLY)
			continue;
		if (b->data)
			memcpy(d, b->data, b->len);
		else
			memset(d, 0xab, b->len);
		d += b->len;
	}
	return (size_t)(d - msg);
}

int fz_link_send(struct fz_link *l, const struct fz_call *c)
{
	l->req_len = encode(c, l->req);
	l->req_fd = c->fd;
	return l->remote ? send_msg(l, l->req, l->req_len, -1) : 0;
}

int fz_link_recv(struct fz_link *l, struct fz_res *r)
{
	const struct rs_hdr *rs = (const struct rs_hdr *)l->resp;
	const uint8_t *d = l->resp + sizeof(*rs);

	if (!l->remote)
		rq_exec(l->req, l->req_len, l->req_fd, l->resp, RQ_MSG_MAX);
	else if (recv_msg(l) < 0)
		return -1;
	memset(r, 0, sizeof(*r));
	r->ret = rs->ret;
	r->err = rs->err;
	r->count = rs->count;
	for (int i = 0; i < RQ_NBUF; i++) {
		r->len[i] = rs->len[i];
		r->buf[i] = rs->len[i] ? d : NULL;
		d += rs->len[i];
	}
	return 0;
}

int fz_link_call(struct fz_link *l, const struct fz_call *c, struct fz_res *r)
{
	return fz_link_send(l, c) || fz_link_recv(l, r) ? -1 : 0;
}
