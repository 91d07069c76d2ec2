/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The differential harness's comparisons (conformance.h): two outcomes,
 * whole walks against the per-call contract, and map contents. */
#include "conformance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

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
