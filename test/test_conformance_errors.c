/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Bad inputs, differentially: every command on HASH, PERCPU_HASH, ARRAY and
 * PERCPU_ARRAY with bad flags, elem_flags, counts, fds, pointers, attr sizes
 * and fd permissions. Each case runs on a fresh pair of identical maps, once
 * natively and once through the peer; ret, errno, the count field, the
 * buffers and the final map contents must match, and the peer must survive.
 *
 * Hash maps hold a single element here, so that the kernel's whole-bucket
 * chunking cannot make a legitimate difference; only the (opaque) token
 * bytes 0..3 of a hash walk are not compared, and only when the kernel wrote
 * them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <linux/bpf.h>

#include "conformance.h"

#define NELEM 4		/* elements per call */
#define ARRAY_MAX 16
#define HASH_MAX 32

struct eparam {
	uint32_t type;
	uint32_t cmd;
	uint32_t mode;
};

ParameterizedTestParameters(errors, cases)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH,
					  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY };
	size_t n = 0;
	struct eparam *p = cr_malloc(4 * 4 * MODE_NR * sizeof(*p));

	for (uint32_t t = 0; t < 4; t++)
		for (uint32_t c = CMD_LOOKUP; c <= CMD_DELETE; c++)
			for (uint32_t m = 0; m < MODE_NR; m++) {
				p[n].type = types[t];
				p[n].cmd = c;
				p[n].mode = m;
				n++;
			}
	return cr_make_param_array(struct eparam, p, n);
}

enum fdsel { FD_MAP, FD_RDONLY, FD_FROZEN, FD_DEVNULL, FD_PIPE, FD_MINUS1, FD_CLOSED };

struct env {
	struct mspec ms;
	struct peer peer;
	uint32_t cmd;
	char ctx[160];
	uint8_t keys[NELEM * 16];
	uint8_t *vals;
	int devnull;
	int pipefd[2];
	unsigned int failures;
};

static int make_map(struct env *e)
{
	int fd = bu_create(&e->ms), r;

	cr_assert(fd >= 0, "map creation: %s", strerror(-fd));
	if (bu_is_hash(e->ms.type)) {
		r = bu_fill(fd, &e->ms, 0, 1, 1);
	} else {
		r = 0;
		for (uint32_t i = 1; i < ARRAY_MAX && !r; i += 2)
			r = bu_fill(fd, &e->ms, i, 1, 1);
	}
	cr_assert(r == 0, "fill: %s", strerror(-r));
	return fd;
}

static int rdonly_fd(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, o, .open_flags = BPF_F_RDONLY);
	int r;

	cr_assert(bpf_obj_get_info_by_fd(fd, &info, &len) == 0);
	r = bpf_map_get_fd_by_id_opts(info.id, &o);
	cr_assert(r >= 0, "BPF_MAP_GET_FD_BY_ID(RDONLY): %s", strerror(errno));
	return r;
}

/* A valid call of the command under test. */
static void base_call(struct env *e, struct call *c)
{
	uint32_t stride = bu_stride(&e->ms);

	call_init(c, e->cmd, -1);
	c->count = NELEM;
	call_buf(c, RQ_KEYS, RQ_VALID, NELEM * e->ms.key_size,
		 e->cmd == CMD_LOOKUP || e->cmd == CMD_LOOKUP_AND_DELETE ? NULL : e->keys);
	if (e->cmd != CMD_DELETE)
		call_buf(c, RQ_VALUES, RQ_VALID, NELEM * stride,
			 e->cmd == CMD_UPDATE ? e->vals : NULL);
	if (e->cmd == CMD_LOOKUP || e->cmd == CMD_LOOKUP_AND_DELETE)
		call_buf(c, RQ_OUT_BATCH, RQ_VALID, 8, NULL);
}

static bool all_ab(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xab)
			return false;
	return true;
}

static void run_case(struct env *e, const char *name, struct call *c, enum fdsel sel)
{
	struct outcome on, oe;
	char ctx[260];
	int fn = make_map(e), fe = make_map(e), un = -1, ue = -1;
	bool hash_walk_cmd = bu_is_hash(e->ms.type) &&
			     (e->cmd == CMD_LOOKUP || e->cmd == CMD_LOOKUP_AND_DELETE);
	unsigned int mask = CMP_ALL;
	bool ok;

	snprintf(ctx, sizeof(ctx), "%s: %s", e->ctx, name);
	c->fd_kind = RQ_FD_MAP;
	switch (sel) {
	case FD_MAP:
		un = fn;
		ue = fe;
		break;
	case FD_RDONLY:
		un = rdonly_fd(fn);
		ue = rdonly_fd(fe);
		break;
	case FD_FROZEN:
		cr_assert(bpf_map_freeze(fn) == 0 && bpf_map_freeze(fe) == 0);
		un = fn;
		ue = fe;
		break;
	case FD_DEVNULL:
		un = ue = e->devnull;
		break;
	case FD_PIPE:
		un = ue = e->pipefd[0];
		break;
	case FD_MINUS1:
		c->fd_kind = RQ_FD_LITERAL;
		un = ue = -1;
		break;
	case FD_CLOSED:
		c->fd_kind = RQ_FD_CLOSED;
		break;
	}
	if (ue >= 0)
		peer_add_fd(&e->peer, ue);

	/* What the emulated map holds before the call (see below). */
	struct kvset before;

	cr_assert(bu_dump(fe, &e->ms, &before) == 0);
	c->fd = un;
	call_run(NULL, c, &on, ctx);
	c->fd = ue;
	call_run(&e->peer, c, &oe, ctx);

	if (hash_walk_cmd && on.len[RQ_OUT_BATCH] == 8 &&
	    !all_ab(on.buf[RQ_OUT_BATCH], 4)) {
		/* the kernel wrote a bucket index; the emulation its own token */
		mask &= ~CMP_OUT;
		cr_expect(all_ab(oe.buf[RQ_OUT_BATCH] + 4, 4),
			  "%s: out_batch bytes 4..7 written", ctx);
	}
	ok = check_same(&on, &oe, mask, ctx);
	if (!ok) {
		e->failures++;
	} else {
		struct kvset a, b;
		const char *why;

		cr_assert(bu_dump(fn, &e->ms, &a) == 0 && bu_dump(fe, &e->ms, &b) == 0);
		/*
		 * A lookup-and-delete whose copy-out faults: the kernel has
		 * deleted elements it cannot return (they are lost); the
		 * emulation checks before deleting and loses nothing, which is
		 * the one outcome the contract prefers over the kernel's.
		 */
		bool lossless = e->cmd == CMD_LOOKUP_AND_DELETE && on.ret < 0 &&
				on.err == EFAULT && kv_equal(&before, &b, &why);

		if (!lossless && !kv_equal(&a, &b, &why)) {
			cr_expect_fail("%s: final map contents differ: %s (native map: %u "
				       "elements, emulated map: %u)", ctx, why, a.n, b.n);
			e->failures++;
		}
		kv_free(&a);
		kv_free(&b);
	}
	kv_free(&before);
	outcome_free(&on);
	outcome_free(&oe);
	if (ue >= 0 && ue != e->devnull && ue != e->pipefd[0])
		peer_del_fd(&e->peer, ue);
	if (sel == FD_RDONLY) {
		close(un);
		close(ue);
	}
	close(fn);
	close(fe);
}

/* One pointer of the call replaced by a bad one. */
static void bad_pointer(struct env *e, int idx, uint32_t kind, const char *name)
{
	struct call c;
	char n[80];
	uint8_t zero[16] = { 0 };

	base_call(e, &c);
	if (kind == RQ_RDONLY || kind == RQ_VALID) {
		uint32_t len = c.buf[idx].len;

		if (idx == RQ_IN_BATCH)		/* a valid token: "from the start" */
			len = bu_is_hash(e->ms.type) ? 4 : e->ms.key_size;
		if (idx == RQ_OUT_BATCH)
			len = 8;
		call_buf(&c, idx, kind, len, idx == RQ_IN_BATCH ? zero : c.buf[idx].data);
	} else {
		c.buf[idx].kind = kind;
		c.buf[idx].literal = 0x10;
	}
	snprintf(n, sizeof(n), "%s %s", name,
		 kind == RQ_NULL ? "NULL" : kind == RQ_UNMAPPED ? "unmapped" :
		 kind == RQ_RDONLY ? "read-only" : kind == RQ_LITERAL ? "= 0x10" : "valid");
	run_case(e, n, &c, FD_MAP);
}

ParameterizedTest(struct eparam *p, errors, cases, .timeout = 300)
{
	static const uint64_t bad_elem_flags[] = { 1, 2, 8, 0x1000, BPF_F_LOCK };
	static const char *const bufn[RQ_NBUF] = { "in_batch", "out_batch", "keys", "values" };
	struct env e = { 0 };
	struct call c;
	char name[80];

	conf_require_bpf();
	e.cmd = p->cmd;
	e.ms.type = p->type;
	e.ms.key_size = bu_is_hash(p->type) ? 8 : 4;
	e.ms.value_size = 12;
	e.ms.max_entries = bu_is_hash(p->type) ? HASH_MAX : ARRAY_MAX;
	snprintf(e.ctx, sizeof(e.ctx), "%s %s peer=%s", cmd_name(p->cmd), bu_type_name(p->type),
		 mode_name(p->mode));
	e.vals = calloc(NELEM, bu_stride(&e.ms));
	cr_assert(e.vals);
	for (uint32_t i = 0; i < NELEM; i++) {
		/* UPDATE: keys #0 (present) and new ones; DELETE: #0 then absent #1 */
		bu_key(&e.ms, i * 2, e.keys + i * e.ms.key_size);
		bu_value(&e.ms, i, 3, e.vals + i * bu_stride(&e.ms));
	}
	e.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	cr_assert(e.devnull >= 0 && pipe2(e.pipefd, O_CLOEXEC) == 0);
	peer_start(&e.peer, p->mode);
	peer_add_fd(&e.peer, e.devnull);
	peer_add_fd(&e.peer, e.pipefd[0]);

	base_call(&e, &c);
	run_case(&e, "valid call", &c, FD_MAP);

	base_call(&e, &c);
	c.flags = 1;
	run_case(&e, "flags=1", &c, FD_MAP);
	c.count = 0;
	run_case(&e, "flags=1, count=0", &c, FD_MAP);

	for (size_t i = 0; i < sizeof(bad_elem_flags) / sizeof(bad_elem_flags[0]); i++) {
		base_call(&e, &c);
		c.elem_flags = bad_elem_flags[i];
		snprintf(name, sizeof(name), "elem_flags=0x%llx",
			 (unsigned long long)bad_elem_flags[i]);
		run_case(&e, name, &c, FD_MAP);
		c.count = 0;
		snprintf(name, sizeof(name), "elem_flags=0x%llx, count=0",
			 (unsigned long long)bad_elem_flags[i]);
		run_case(&e, name, &c, FD_MAP);
	}

	base_call(&e, &c);
	c.count = 0;
	run_case(&e, "count=0", &c, FD_MAP);
	call_init(&c, e.cmd, -1);
	run_case(&e, "count=0, all pointers NULL", &c, FD_MAP);
	base_call(&e, &c);
	c.count = NELEM + 2;
	run_case(&e, "count beyond the buffers", &c, FD_MAP);

	base_call(&e, &c);
	run_case(&e, "map_fd=-1", &c, FD_MINUS1);
	run_case(&e, "map_fd closed", &c, FD_CLOSED);
	run_case(&e, "map_fd=/dev/null", &c, FD_DEVNULL);
	run_case(&e, "map_fd=pipe", &c, FD_PIPE);
	run_case(&e, "read-only fd", &c, FD_RDONLY);
	run_case(&e, "frozen map", &c, FD_FROZEN);
	c.count = 0;
	run_case(&e, "read-only fd, count=0", &c, FD_RDONLY);
	run_case(&e, "frozen map, count=0", &c, FD_FROZEN);

	for (int i = 0; i < RQ_NBUF; i++) {
		bad_pointer(&e, i, RQ_NULL, bufn[i]);
		bad_pointer(&e, i, RQ_UNMAPPED, bufn[i]);
		bad_pointer(&e, i, RQ_RDONLY, bufn[i]);
		bad_pointer(&e, i, RQ_LITERAL, bufn[i]);
	}
	if (e.cmd == CMD_LOOKUP) {
		/* A fault inside an element: the kernel's copy writes the bytes
		 * before it (issue 12, "partial"). */
		uint32_t ks = e.ms.key_size, vs = bu_stride(&e.ms);
		uint32_t at = bu_is_hash(e.ms.type) ? 0 : 2;

		base_call(&e, &c);
		call_buf(&c, RQ_KEYS, RQ_VALID, at * ks + ks - 1, NULL);
		run_case(&e, "keys end inside an element", &c, FD_MAP);
		base_call(&e, &c);
		call_buf(&c, RQ_VALUES, RQ_VALID, at * vs + vs - 1, NULL);
		run_case(&e, "values end inside an element", &c, FD_MAP);
	}

	base_call(&e, &c);
	c.attr_kind = RQ_ATTR_NULL;
	run_case(&e, "attr=NULL", &c, FD_MAP);
	base_call(&e, &c);
	c.attr_kind = RQ_ATTR_RDONLY;
	run_case(&e, "attr in read-only memory", &c, FD_MAP);

	base_call(&e, &c);
	c.attr_size = 40;
	c.elem_flags = 0x1000;
	c.flags = 7;
	run_case(&e, "size=40, junk in elem_flags/flags", &c, FD_MAP);
	c.attr_size = 36;
	run_case(&e, "size=36 (map_fd reads as 0)", &c, FD_MAP);
	c.attr_size = 0;
	run_case(&e, "size=0", &c, FD_MAP);

	base_call(&e, &c);
	c.attr_size = 4097;
	run_case(&e, "size=4097", &c, FD_MAP);
	c.attr_size = 4096;
	run_case(&e, "size=4096, zero tail", &c, FD_MAP);
	c.attr_size = 200;
	run_case(&e, "size=200, zero tail", &c, FD_MAP);
	c.npoke = 1;
	c.poke[0].off = 56;
	c.poke[0].val = 1;
	run_case(&e, "size=200, byte 56 set", &c, FD_MAP);
	c.poke[0].off = 100;
	run_case(&e, "size=200, byte 100 set", &c, FD_MAP);
	c.poke[0].off = 180;
	run_case(&e, "size=200, byte 180 set", &c, FD_MAP);
	c.count = 0;
	run_case(&e, "size=200, byte 180 set, count=0", &c, FD_MAP);
	c.attr_size = 4096;
	c.poke[0].off = 4000;
	run_case(&e, "size=4096, byte 4000 set, count=0", &c, FD_MAP);
	c.fd_kind = RQ_FD_LITERAL;
	run_case(&e, "size=4096, byte 4000 set, map_fd=-1", &c, FD_MINUS1);

	peer_stop(&e.peer);
	close(e.devnull);
	close(e.pipefd[0]);
	close(e.pipefd[1]);
	free(e.vals);
	cr_assert(e.failures == 0, "%s: %u case(s) differ from the kernel (see above)", e.ctx,
		  e.failures);
}
