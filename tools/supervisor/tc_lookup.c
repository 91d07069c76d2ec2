/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "platform/uapi.h"
#include "supervisor/tc_private.h"

#define COUNT_OFF offsetof(struct bb_batch_attr, count)

/*
 * LOOKUP and LOOKUP_AND_DELETE. Read: the in token. Written, in the kernel's
 * order: keys and values (a fault there leaves count 0, no token), then for
 * the hash family the token and count (token fault: count 0), for the
 * generic walk count and token (token fault: count stays n).
 */
long tc_lookup(struct tc_ctx *k)
{
	const struct bb_batch_attr *ta = &k->ta;
	bool hash = k->have_map && k->m.family == BB_FAM_HASH;
	uint32_t ks = k->m.info.key_size, stride = k->m.value_stride;
	uint32_t tok = k->have_map ? bb_maptype_token_size(k->m.info.type, ks) : 0;
	uint64_t cap = 0, in = 0, out = 0, keys, vals, per;
	unsigned char *buf, *intok, *outtok, *orig;
	struct tm_span s[4];
	bool out_bad = false, written, tok_changed;
	uint32_t n, zero = 0;
	long r, w;
	int f;

	if (k->have_map) {
		/* Never more than max_entries elements come back (an array
		 * that fills count exactly answers 0, hence the + 1): the
		 * bound keeps a huge count from sizing our buffers. */
		cap = ta->count;
		if (cap > (uint64_t)k->m.info.max_entries + 1)
			cap = (uint64_t)k->m.info.max_entries + 1;
	}
	per = (uint64_t)ks + stride;
	if (cap && per > (SIZE_MAX / 2) / cap)
		return -ENOMEM;
	buf = malloc(3 * (size_t)tok + (size_t)(cap * per) + 1);
	if (!buf)
		return -ENOMEM;
	intok = buf;
	outtok = intok + tok;
	orig = outtok + tok;
	keys = cap ? tc_ptr(orig + tok) : tc_ptr(tc_bad());
	vals = cap ? keys + cap * ks : tc_ptr(tc_bad());

	memset(s, 0, sizeof(s));
	s[0] = (struct tm_span){ .local = intok, .remote = ta->in_batch,
				 .len = ta->in_batch ? tok : 0 };
	s[1] = (struct tm_span){ .local = outtok, .remote = ta->out_batch,
				 .len = ta->out_batch ? tok : 0 };
	r = tm_read(k->c->t->tid, s, 2);
	if (r == -ESRCH) {
		free(buf);
		return TC_GONE;
	}
	if (ta->in_batch)
		in = tok && s[0].done == tok ? tc_ptr(intok) : tc_ptr(tc_bad());
	if (ta->out_batch) {
		out_bad = !tok || s[1].done < tok;
		out = out_bad ? tc_ptr(tc_bad()) : tc_ptr(outtok);
		memcpy(orig, outtok, tok);
	}
	tc_set_attr(k, in, out, keys, vals, (uint32_t)cap);
	r = tc_run_core(k, &n);

	/* Did the command get past its checks (and so write count)? */
	written = (r == 0 && ta->count) || r == -ENOENT || n != cap ||
		  (r == -EFAULT && out_bad);
	if (!written || n > cap) {
		free(buf);
		return r;
	}
	tok_changed = ta->out_batch && !out_bad && memcmp(outtok, orig, tok);
	s[0] = (struct tm_span){ .local = (void *)(uintptr_t)keys, .remote = ta->keys,
				 .len = (size_t)n * ks };
	s[1] = (struct tm_span){ .local = (void *)(uintptr_t)vals, .remote = ta->values,
				 .len = (size_t)n * stride };
	s[hash ? 2 : 3] = (struct tm_span){ .local = outtok, .remote = ta->out_batch,
					    .len = tok_changed ? tok : 0 };
	s[hash ? 3 : 2] = (struct tm_span){ .local = &n, .remote = k->c->uattr + COUNT_OFF,
					    .len = n != ta->count ? sizeof(n) : 0 };
	w = tc_put_spans(k, s, 4);
	free(buf);
	if (w == TC_GONE)
		return TC_GONE;
	if (w == 4)
		return r;
	f = (int)w;
	if (f < 2 || (hash && f == 2)) {
		/* count was zeroed before the copy-out that faulted */
		w = tc_put_count(k, zero);
		if (w == TC_GONE)
			return TC_GONE;
	}
	return -EFAULT;
}

