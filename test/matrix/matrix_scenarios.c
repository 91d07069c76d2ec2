/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The four scenarios of a cell, the fill before them and the read-back
 * after, each adding the lines its digest is made of. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "core/maptypes.h"
#include "platform/uapi.h"

#include "edge.h"
#include "matrix.h"

void add_line(struct cell *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (c->nlines == MAX_LINES) {
		c->overflow = true;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		c->overflow = true;
		return;
	}
	c->lines[c->nlines++] = s;
}

static int do_lookup(struct cell *c, bool del, void *in, void *out, void *keys, void *vals,
		     uint32_t *count)
{
	if (opt_reference)
		return ref_lookup(c, del, in, out, keys, vals, count);
	if (del)
		return bpf_map_lookup_and_delete_batch(c->fd, in, out, keys, vals, count, NULL);
	return bpf_map_lookup_batch(c->fd, in, out, keys, vals, count, NULL);
}

/* The token as a caller allocates it: the type's token size (4 bytes for
 * the hash family, key_size for the rest); the reference's own walk keeps
 * last keys. */
static uint32_t token_size(const struct mtype *t)
{
	return opt_reference ? t->key_size : bb_maptype_token_size(t->type, t->key_size);
}

/* Nothing before any buffer may change (edge.h); what lies after it is a
 * PROT_NONE page. */
static void check_edges(struct cell *c, const struct edge *e, const char *what)
{
	if (!edge_intact(e))
		add_line(c, "bytes before %s overwritten", what);
}

/* Loop until ENOENT; the kernel's hash walk answers ENOSPC when a bucket
 * does not fit, and the documented answer is a larger buffer. Tokens, keys
 * and values each end at a PROT_NONE page. */
int scenario_lookup(struct cell *c, bool del)
{
	const struct mtype *t = c->t;
	const uint32_t tok = token_size(t);
	struct edge in, out, keys = { 0 }, vals = { 0 };
	uint32_t bs = BATCH, total = 0;
	bool first = true;
	int err = -EIO, calls;

	edge_new(&in, tok);
	edge_new(&out, tok);
	for (calls = 0; calls < MAX_CALLS; calls++) {
		uint32_t count = bs;

		if (!keys.map || keys.len != (size_t)bs * t->key_size ||
		    vals.len != (size_t)bs * c->stride) {
			edge_free(&keys);
			edge_free(&vals);
			edge_new(&keys, (size_t)bs * t->key_size);
			edge_new(&vals, (size_t)bs * c->stride);
		}
		memset(out.p, 0, tok);
		edge_arm(&out);
		edge_arm(&keys);
		edge_arm(&vals);
		err = do_lookup(c, del, first ? NULL : in.p, out.p, keys.p, vals.p, &count);
		check_edges(c, &in, "in_batch");
		check_edges(c, &out, "out_batch");
		check_edges(c, &keys, "keys");
		check_edges(c, &vals, "values");
		if (err == -ENOSPC && !opt_reference && 2 * bs <= MAX_ELEMS) {
			bs *= 2;
			continue;
		}
		if (err && err != -ENOENT)
			break;
		for (uint32_t i = 0; i < count && i < bs; i++) {
			char s[2048];

			render(c, keys.p + i * t->key_size, vals.p + i * c->stride, s, sizeof(s));
			add_line(c, "got %s", s);
		}
		total += count;
		if (err == -ENOENT)
			break;
		memcpy(in.p, out.p, tok);
		edge_arm(&in);
		first = false;
	}
	if (calls == MAX_CALLS)
		err = -ELOOP;
	add_line(c, "returned %u", total);
	edge_free(&in);
	edge_free(&out);
	edge_free(&keys);
	edge_free(&vals);
	return err == -ENOENT ? 0 : err;
}

/* Elements [lo, hi) in calls of BATCH, recording each call's answer: these
 * are deterministic for the writing commands (no hash order involved). */
int scenario_write(struct cell *c, enum cmd cmd, int lo, int hi, int gen, const char *tag)
{
	const struct mtype *t = c->t;
	int first_err = 0;

	for (int i = lo; i < hi; i += BATCH) {
		uint32_t n = (uint32_t)(hi - i < BATCH ? hi - i : BATCH), count = n;
		struct edge keys, vals; /* read exactly n elements, no more */
		int err;

		edge_new(&keys, (size_t)n * t->key_size);
		edge_new(&vals, (size_t)n * c->stride);
		for (uint32_t j = 0; j < n; j++) {
			make_key(t, i + (int)j, keys.p + j * t->key_size);
			make_value(c, i + (int)j, gen, vals.p + j * c->stride);
		}
		if (cmd == C_UPDATE)
			err = opt_reference ? ref_update(c, keys.p, vals.p, &count) :
					  bpf_map_update_batch(c->fd, keys.p, vals.p, &count, NULL);
		else
			err = opt_reference ? ref_delete(c, keys.p, &count) :
					  bpf_map_delete_batch(c->fd, keys.p, &count, NULL);
		/* count is not touched on a refusal: report it as is */
		add_line(c, "%s call %d: err %d count %u/%u", tag, i, -err, count, n);
		check_edges(c, &keys, "keys");
		check_edges(c, &vals, "values");
		if (err && !first_err)
			first_err = err;
		edge_free(&keys);
		edge_free(&vals);
	}
	return first_err;
}

/* Identical in every run: single-element updates, whose errors (types that
 * cannot be filled from user space) are part of the digest. */
void fill(struct cell *c)
{
	const struct mtype *t = c->t;
	uint8_t key[64], val[4096];

	for (int i = 0; i < t->fill; i++) {
		int err;

		make_key(t, i, key);
		make_value(c, i, 0, val);
		err = bpf_map_update_elem(c->fd, t->key_size ? key : NULL, val, BPF_ANY);
		if (err)
			add_line(c, "fill %d: err %d", i, -err);
	}
}

/*
 * The final contents, with single-element commands that exist on every
 * kernel the matrix simulates. LPM tries have no GET_NEXT_KEY before 4.16,
 * so they are read by exact lookups of the universe (the prefixes are
 * disjoint, so a lookup finds only itself). Where the syscall refuses
 * lookups, a (destructive: the map is thrown away next) delete tells which
 * slots were set.
 */
void read_back(struct cell *c)
{
	const struct mtype *t = c->t;
	uint8_t key[64], next[64], val[4096];
	char s[2048];
	int err, n = 0;

	if (t->kk == K_LPM) {
		for (int i = 0; i < t->universe; i++) {
			make_key(t, i, key);
			err = bpf_map_lookup_elem(c->fd, key, val);
			if (!err) {
				render(c, key, val, s, sizeof(s));
				add_line(c, "final %s", s);
			} else if (err != -ENOENT) {
				add_line(c, "final %d: err %d", i, -err);
			}
		}
		return;
	}
	missing_key(t, key);
	for (;;) {
		err = bpf_map_get_next_key(c->fd, t->key_size ? key : NULL, next);
		if (err) {
			if (err != -ENOENT)
				add_line(c, "final walk: err %d", -err);
			break;
		}
		if (++n > 4 * MAX_ELEMS) {
			add_line(c, "final walk: endless");
			break;
		}
		memcpy(key, next, t->key_size);
		err = bpf_map_lookup_elem(c->fd, key, val);
		if (err == -BB_ENOTSUPP || err == -EOPNOTSUPP) {
			hex(s, key, t->key_size);
			err = bpf_map_delete_elem(c->fd, key);
			add_line(c, "final %s: %s", s, err == 0 ? "set" :
				 err == -ENOENT ? "empty" : "delete failed");
		} else if (!err) {
			render(c, key, val, s, sizeof(s));
			add_line(c, "final %s", s);
		} else if (err != -ENOENT) {
			hex(s, key, t->key_size);
			add_line(c, "final %s: err %d", s, -err);
		}
	}
}
