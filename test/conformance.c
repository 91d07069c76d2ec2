/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
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

const char *cmd_name(uint32_t cmd)
{
	switch (cmd) {
	case CMD_LOOKUP:
		return "LOOKUP_BATCH";
	case CMD_LOOKUP_AND_DELETE:
		return "LOOKUP_AND_DELETE_BATCH";
	case CMD_UPDATE:
		return "UPDATE_BATCH";
	case CMD_DELETE:
		return "DELETE_BATCH";
	default:
		return "?";
	}
}

void conf_require_bpf(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root for bpf() and map creation");
	if (!bu_bpf_usable())
		cr_skip_test("bpf maps cannot be created here (bpf() unavailable)");
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

static const char *const buf_names[RQ_NBUF] = { "in_batch", "out_batch", "keys", "values" };

bool check_same(const struct outcome *nat, const struct outcome *emu, unsigned int mask,
		const char *ctx)
{
	bool bad = false;

	if (nat->ret != emu->ret || nat->err != emu->err) {
		cr_expect_fail("%s: return differs: native ret %d errno %d (%s), "
			       "emulated ret %d errno %d (%s)", ctx, nat->ret, nat->err,
			       strerror(nat->err), emu->ret, emu->err, strerror(emu->err));
		bad = true;
	}
	if (nat->count != emu->count) {
		cr_expect_fail("%s: count differs: native %u, emulated %u", ctx, nat->count,
			       emu->count);
		bad = true;
	}
	for (int i = 0; i < RQ_NBUF; i++) {
		uint32_t first = 0;

		if (!(mask & (1u << i)) || nat->len[i] != emu->len[i] || !nat->len[i])
			continue;
		if (!memcmp(nat->buf[i], emu->buf[i], nat->len[i]))
			continue;
		while (nat->buf[i][first] == emu->buf[i][first])
			first++;
		cr_expect_fail("%s: %s bytes differ (first at byte %u of %u: native 0x%02x, "
			       "emulated 0x%02x)", ctx, buf_names[i], first, nat->len[i],
			       nat->buf[i][first], emu->buf[i][first]);
		bad = true;
	}
	return !bad;
}

void expect_same(const struct outcome *nat, const struct outcome *emu, unsigned int mask,
		 const char *ctx)
{
	if (!check_same(nat, emu, mask, ctx))
		cr_assert_fail("%s: stopping after the first differing call", ctx);
}

bool peer_native_like(const struct peer *p)
{
	return !p || p->mode == MODE_PASS;
}

static bool untouched(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0xab)
			return false;
	return true;
}

void hash_walk(struct peer *p, int fd, const struct mspec *ms, const struct hash_walk *w,
	       struct walk_result *r, const char *ctx)
{
	uint32_t stride = bu_stride(ms), ks = ms->key_size;
	uint32_t token, want = w->batch;
	bool have_token = false;
	const char *side = !p ? "native" : p->mode == MODE_PASS ? "pass-through" : "emulated";

	kv_init(&r->got, ms);
	r->calls = 0;
	r->enospc = 0;
	for (;;) {
		struct call c;
		struct outcome o;
		int ret, err;
		uint32_t n;

		cr_assert(r->calls < w->max_calls,
			  "%s (%s): walk did not end within %u calls (%u elements so far)", ctx,
			  side, w->max_calls, r->got.n);
		call_init(&c, w->cmd, fd);
		c.count = want;
		if (have_token)
			call_buf(&c, RQ_IN_BATCH, RQ_VALID, 4, &token);
		else if (w->start_token)
			call_buf(&c, RQ_IN_BATCH, RQ_VALID, 4, w->start_token);
		call_buf(&c, RQ_OUT_BATCH, RQ_VALID, 8, NULL);
		call_buf(&c, RQ_KEYS, RQ_VALID, want * ks, NULL);
		call_buf(&c, RQ_VALUES, RQ_VALID, want * stride, NULL);
		call_run(p, &c, &o, ctx);
		r->calls++;
		ret = o.ret;
		err = o.err;
		n = o.count;

		if (peer_native_like(p) && ret < 0 && err == ENOSPC) {
			/* as libbpf users do: grow the buffer, same token */
			cr_assert(n == 0, "%s (%s): ENOSPC with count %u", ctx, side, n);
			r->enospc++;
			want *= 2;
			outcome_free(&o);
			continue;
		}
		cr_assert(ret == 0 || err == ENOENT,
			  "%s (%s): call %u returned %d errno %d (%s); only 0 or ENOENT are allowed",
			  ctx, side, r->calls, ret, err, strerror(err));
		cr_assert(n <= want, "%s (%s): call %u returned count %u > requested %u", ctx,
			  side, r->calls, n, want);
		cr_assert(untouched(o.buf[RQ_OUT_BATCH] + 4, 4),
			  "%s (%s): call %u wrote out_batch bytes 4..7 (hash tokens are 4 bytes)",
			  ctx, side, r->calls);
		if (w->strict) {
			cr_assert(ret != 0 || n > 0,
				  "%s (%s): call %u returned 0 with count 0 on an unchanging map",
				  ctx, side, r->calls);
			cr_assert(untouched(o.buf[RQ_KEYS] + (size_t)n * ks, (size_t)(want - n) * ks),
				  "%s (%s): call %u wrote keys beyond count %u", ctx, side,
				  r->calls, n);
			cr_assert(untouched(o.buf[RQ_VALUES] + (size_t)n * stride,
					    (size_t)(want - n) * stride),
				  "%s (%s): call %u wrote values beyond count %u", ctx, side,
				  r->calls, n);
		}
		for (uint32_t i = 0; i < n; i++)
			kv_add(&r->got, o.buf[RQ_KEYS] + (size_t)i * ks,
			       o.buf[RQ_VALUES] + (size_t)i * stride);
		if (w->after)
			w->after(w->arg, o.buf[RQ_KEYS], o.buf[RQ_VALUES], n);
		memcpy(&token, o.buf[RQ_OUT_BATCH], 4);
		have_token = true;
		want = w->batch;
		outcome_free(&o);
		if (ret < 0)
			break;
	}
}

uint32_t array_lockstep(struct peer *p, int fd_nat, int fd_emu, const struct mspec *ms,
			uint32_t cmd, uint32_t batch, const void *start_token, const char *ctx)
{
	uint32_t stride = bu_stride(ms), calls = 0, token[4];
	uint32_t max_calls = ms->max_entries + 3;
	uint32_t tok_len = bu_is_hash(ms->type) ? 4 : ms->key_size;
	const void *tok = start_token;
	char cctx[256];

	for (;;) {
		struct outcome on, oe;
		struct call c;
		int ret;

		cr_assert(calls < max_calls, "%s: walk did not end within %u calls", ctx, max_calls);
		snprintf(cctx, sizeof(cctx), "%s, call %u", ctx, calls + 1);
		call_init(&c, cmd, fd_nat);
		c.count = batch;
		if (tok)
			call_buf(&c, RQ_IN_BATCH, RQ_VALID, tok_len, tok);
		call_buf(&c, RQ_OUT_BATCH, RQ_VALID, 8, NULL);
		call_buf(&c, RQ_KEYS, RQ_VALID, batch * ms->key_size, NULL);
		call_buf(&c, RQ_VALUES, RQ_VALID, batch * stride, NULL);
		call_run(NULL, &c, &on, cctx);
		c.fd = fd_emu;
		call_run(p, &c, &oe, cctx);
		expect_same(&on, &oe, CMP_ALL, cctx);
		calls++;
		ret = on.ret;
		if (ret == 0 && on.count > 0) {
			memcpy(token, on.buf[RQ_OUT_BATCH], tok_len);
			tok = token;
		}
		if (ret < 0 && on.err == ENOSPC) {	/* hash: grow, same token */
			batch *= 2;
			ret = 0;
		}
		outcome_free(&on);
		outcome_free(&oe);
		if (ret != 0)
			break;
	}
	return calls;
}

void expect_content(int fd, const struct mspec *ms, const struct kvset *s, const char *ctx)
{
	struct kvset d;
	const char *why;
	int r = bu_dump(fd, ms, &d);

	cr_assert(r == 0, "%s: dump failed: %s", ctx, strerror(-r));
	cr_expect(kv_equal(s, &d, &why), "%s: map content wrong: %s (%u expected, %u present)",
		  ctx, why, s->n, d.n);
	kv_free(&d);
}

void expect_same_content(int fd_a, int fd_b, const struct mspec *ms, const char *ctx)
{
	struct kvset a;
	int r = bu_dump(fd_a, ms, &a);

	cr_assert(r == 0, "%s: dump failed: %s", ctx, strerror(-r));
	expect_content(fd_b, ms, &a, ctx);
	kv_free(&a);
}
