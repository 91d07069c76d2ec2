/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The differential harness's transport (conformance.h): the peer process,
 * its requests and answers, and one call run natively or through it. */
#include "conformance.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "common/fdpass.h"

#define PEER_TIMEOUT_MS 60000

const char *mode_name(enum peer_mode m)
{
	switch (m) {
	case MODE_SIM:
		return "sim-5.4";
	case MODE_EMU:
		return "emulate";
	case MODE_PASS:
		return "preload-auto";
	default:
		return "?";
	}
}


static const char *need_env(const char *name)
{
	const char *v = getenv(name);

	cr_assert(v && *v, "environment variable %s is not set (run through meson test)", name);
	return v;
}

static void describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(buf, len, "status 0x%x", status);
}

/* The peer stopped answering: reap it and fail the test with the reason. */
static void peer_died(struct peer *p, const char *ctx, const char *what)
{
	char why[128] = "still running";
	int status;
	pid_t r;

	r = waitpid(p->pid, &status, WNOHANG);
	if (r == 0) {
		usleep(200000);
		r = waitpid(p->pid, &status, WNOHANG);
	}
	if (r == p->pid)
		describe_exit(status, why, sizeof(why));
	else
		kill(p->pid, SIGKILL);
	p->pid = -1;
	cr_assert_fail("peer (%s) %s: %s — during %s", mode_name(p->mode), what, why, ctx);
}

static void peer_send(struct peer *p, const void *msg, size_t len, int fd, const char *ctx)
{
	if (fdpass_send(p->sock, msg, len, fd) != (ssize_t)len)
		peer_died(p, ctx, "cannot be sent a request");
}

/* Receive one response into a malloc'd buffer; returns its length. */
static size_t peer_recv(struct peer *p, uint8_t **out, const char *ctx)
{
	struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
	uint8_t *buf = malloc(RQ_MSG_MAX);
	ssize_t n;
	int r;

	cr_assert(buf);
	do {
		r = poll(&pfd, 1, PEER_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r == 0) {
		free(buf);
		peer_died(p, ctx, "did not answer within 60 s (hung)");
	}
	do {
		n = recv(p->sock, buf, RQ_MSG_MAX, 0);
	} while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(struct rs_hdr)) {
		free(buf);
		peer_died(p, ctx, "closed the connection (crashed?)");
	}
	*out = buf;
	return (size_t)n;
}

static void peer_simple(struct peer *p, uint32_t op, int test_fd, int pass_fd,
			struct rs_hdr *rs, const char *ctx)
{
	struct rq_hdr *h = calloc(1, sizeof(*h));
	uint8_t *resp;

	cr_assert(h);
	h->op = op;
	h->fd = test_fd;
	peer_send(p, h, sizeof(*h), pass_fd, ctx);
	free(h);
	peer_recv(p, &resp, ctx);
	memcpy(rs, resp, sizeof(*rs));
	free(resp);
}

void peer_start(struct peer *p, enum peer_mode m)
{
	const char *tool = need_env("BPFBATCH_TOOL");
	const char *so = need_env("BPFBATCH_SO");
	const char *peer = need_env("BPFBATCH_PEER");
	char preload[4096], fdstr[16];
	const char *argv[16];
	struct rs_hdr rs;
	int sv[2], n = 0;

	cr_assert(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", so);
	snprintf(fdstr, sizeof(fdstr), "%d", sv[1]);
	if (m == MODE_SIM) {
		argv[n++] = tool;
		argv[n++] = "sim";
		argv[n++] = "--kernel";
		argv[n++] = "5.4";
		argv[n++] = "--";
	}
	argv[n++] = "env";
	argv[n++] = "-u";
	argv[n++] = "BPFBATCH_LOG";
	argv[n++] = preload;
	argv[n++] = m == MODE_EMU ? "BPFBATCH_MODE=emulate" : "BPFBATCH_MODE=auto";
	argv[n++] = peer;
	argv[n++] = fdstr;
	argv[n] = NULL;

	fflush(NULL);
	p->mode = m;
	p->pid = fork();
	cr_assert(p->pid >= 0);
	if (p->pid == 0) {
		fcntl(sv[1], F_SETFD, 0);
		close(sv[0]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(sv[1]);
	p->sock = sv[0];

	peer_simple(p, RQ_HELLO, -1, -1, &rs, "start-up (HELLO)");
	/* Under the simulator the real kernel must refuse batch commands
	 * (what the shim answers is checked by the tests themselves). */
	if (m == MODE_SIM)
		cr_assert(rs.probe_raw_err == EINVAL,
			  "simulator not in effect: raw cmd 24 on fd -1 gave errno %d, want EINVAL",
			  rs.probe_raw_err);
	else
		cr_assert(rs.probe_raw_err == EBADF, "raw probe gave errno %d, want EBADF",
			  rs.probe_raw_err);
}

void peer_stop(struct peer *p)
{
	struct rq_hdr h = { .op = RQ_QUIT };
	int status;

	if (p->pid <= 0)
		return;
	send(p->sock, &h, sizeof(h.op), MSG_NOSIGNAL);
	close(p->sock);
	for (int i = 0; i < 100; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = -1;
			return;
		}
		usleep(10000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
	p->pid = -1;
}

void peer_add_fd(struct peer *p, int fd)
{
	struct rs_hdr rs;

	peer_simple(p, RQ_ADD_FD, fd, fd, &rs, "ADD_FD");
	cr_assert(rs.err == 0, "peer could not take fd %d", fd);
}

void peer_del_fd(struct peer *p, int fd)
{
	struct rs_hdr rs;

	peer_simple(p, RQ_DEL_FD, fd, -1, &rs, "DEL_FD");
}

void call_init(struct call *c, uint32_t cmd, int fd)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->fd = fd;
	c->fd_kind = RQ_FD_MAP;
	c->attr_size = 56;
	c->attr_kind = RQ_ATTR_VALID;
	for (int i = 0; i < RQ_NBUF; i++)
		c->buf[i].kind = RQ_NULL;
}

void call_buf(struct call *c, int idx, uint32_t kind, uint32_t len, const void *data)
{
	c->buf[idx].kind = kind;
	c->buf[idx].len = len;
	c->buf[idx].data = data;
}

static uint8_t *call_encode(const struct call *c, size_t *len)
{
	struct rq_hdr *h;
	uint8_t *msg, *d;
	size_t dl = 0;

	for (int i = 0; i < RQ_NBUF; i++)
		if (c->buf[i].kind == RQ_VALID || c->buf[i].kind == RQ_RDONLY)
			dl += c->buf[i].len;
	msg = calloc(1, sizeof(*h) + dl);
	cr_assert(msg);
	h = (struct rq_hdr *)msg;
	h->op = RQ_BPF;
	h->cmd = c->cmd;
	h->attr_size = c->attr_size;
	h->attr_kind = c->attr_kind;
	h->fd_kind = c->fd_kind;
	h->fd = c->fd;
	memcpy(h->attr + 32, &c->count, 4);
	memcpy(h->attr + 36, &c->fd, 4);
	memcpy(h->attr + 40, &c->elem_flags, 8);
	memcpy(h->attr + 48, &c->flags, 8);
	for (uint32_t i = 0; i < c->npoke; i++)
		h->attr[c->poke[i].off] = c->poke[i].val;
	d = msg + sizeof(*h);
	for (int i = 0; i < RQ_NBUF; i++) {
		h->buf[i].kind = c->buf[i].kind;
		h->buf[i].len = c->buf[i].len;
		h->buf[i].literal = c->buf[i].literal;
		if (c->buf[i].kind != RQ_VALID && c->buf[i].kind != RQ_RDONLY)
			continue;
		if (c->buf[i].data)
			memcpy(d, c->buf[i].data, c->buf[i].len);
		else
			memset(d, 0xab, c->buf[i].len);
		d += c->buf[i].len;
	}
	*len = sizeof(*h) + dl;
	return msg;
}

static void decode(uint8_t *msg, size_t len, struct outcome *o)
{
	const struct rs_hdr *rs = (const struct rs_hdr *)msg;
	uint8_t *d = msg + sizeof(*rs);
	size_t total = sizeof(*rs);

	memset(o, 0, sizeof(*o));
	o->msg = msg;
	o->ret = rs->ret;
	o->err = rs->err;
	o->count = rs->count;
	for (int i = 0; i < RQ_NBUF; i++) {
		o->len[i] = rs->len[i];
		total += rs->len[i];
		cr_assert(total <= len, "short response");
		o->buf[i] = rs->len[i] ? d : NULL;
		d += rs->len[i];
	}
}

void call_run(struct peer *p, const struct call *c, struct outcome *o, const char *ctx)
{
	size_t len, rlen;
	uint8_t *msg = call_encode(c, &len), *resp;

	if (!p) {
		resp = malloc(RQ_MSG_MAX);
		cr_assert(resp);
		rlen = rq_exec(msg, len, c->fd, resp, RQ_MSG_MAX);
	} else {
		peer_send(p, msg, len, -1, ctx);
		rlen = peer_recv(p, &resp, ctx);
	}
	free(msg);
	decode(resp, rlen, o);
	cr_assert(!(o->ret == -1 && o->err == EPROTO), "harness: malformed request (%s)", ctx);
}

void outcome_free(struct outcome *o)
{
	free(o->msg);
	memset(o, 0, sizeof(*o));
}
