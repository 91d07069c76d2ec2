/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The command matrix's parameters and fixture (conformance_ops.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <linux/bpf.h>

#include "conformance_ops.h"

static const uint32_t types[] = {
	BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY,
};

struct criterion_test_params ops_params(void)
{
	static const uint32_t batches[] = { 1, 7, 64, 0 /* max_entries */ };
	size_t cap = 6 * 4 * MODE_NR, n = 0;
	struct mparam *p = cr_malloc(cap * sizeof(*p));

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (size_t b = 0; b < 4; b++)
			for (uint32_t m = 0; m < MODE_NR; m++) {
				bool hash = bu_is_hash(types[t]);

				p[n].type = types[t];
				p[n].batch = batches[b] ? batches[b] : (hash ? HASH_MAX : ARRAY_MAX);
				p[n].mode = m;
				n++;
			}
	return cr_make_param_array(struct mparam, p, n);
}

void ops_start(struct fixture *f, const struct mparam *p)
{
	conf_require_bpf();
	if (bu_is_lru(p->type))
		bu_pin_cpu0();	/* LRU maps evict early when filled from several CPUs */
	peer_start(&f->peer, p->mode);
}

/* Key sizes {4, 16} (arrays: 4) x value sizes {8, 12}: *i counts through
 * them; false when done. Fills in the map shape and the message context. */
bool ops_next_shape(struct fixture *f, struct mparam *p, uint32_t cmd, int *i)
{
	static const uint32_t ksizes[] = { 4, 16 }, vsizes[] = { 8, 12 };
	int n = bu_is_hash(p->type) ? 4 : 2;

	if (*i >= n)
		return false;
	p->key_size = ksizes[*i / 2];
	p->value_size = vsizes[*i % 2];
	(*i)++;
	f->ms.type = p->type;
	f->ms.key_size = p->key_size;
	f->ms.value_size = p->value_size;
	f->ms.max_entries = bu_is_hash(p->type) ? HASH_MAX : ARRAY_MAX;
	snprintf(f->ctx, sizeof(f->ctx), "%s %s ks=%u vs=%u batch=%u peer=%s", cmd_name(cmd),
		 bu_type_name(p->type), p->key_size, p->value_size, p->batch,
		 mode_name(p->mode));
	return true;
}

/* A map with the standard content: hash keys #0..#HASH_FILL-1, array slots
 * with i % 3 != 0 set (the others stay zero). */
int ops_make_map(const struct fixture *f)
{
	int fd = bu_create(&f->ms), r;

	cr_assert(fd >= 0, "%s: map creation: %s", f->ctx, strerror(-fd));
	if (bu_is_hash(f->ms.type)) {
		r = bu_fill(fd, &f->ms, 0, HASH_FILL, 1);
	} else {
		r = 0;
		for (uint32_t i = 0; i < ARRAY_MAX && !r; i++)
			if (i % 3)
				r = bu_fill(fd, &f->ms, i, 1, 1);
	}
	cr_assert(r == 0, "%s: fill: %s", f->ctx, strerror(-r));
	return fd;
}

void ops_unsupported_array(struct fixture *f, const struct mparam *p, uint32_t cmd)
{
	struct outcome on, oe;
	struct call c;
	int fn = ops_make_map(f), fe = ops_make_map(f);

	peer_add_fd(&f->peer, fe);
	call_init(&c, cmd, fn);
	c.count = p->batch;
	call_buf(&c, RQ_OUT_BATCH, RQ_VALID, 8, NULL);
	call_buf(&c, RQ_KEYS, RQ_VALID, p->batch * 4, NULL);
	call_buf(&c, RQ_VALUES, RQ_VALID, p->batch * bu_stride(&f->ms), NULL);
	call_run(NULL, &c, &on, f->ctx);
	c.fd = fe;
	call_run(&f->peer, &c, &oe, f->ctx);
	expect_same(&on, &oe, CMP_ALL, f->ctx);
	cr_expect(on.err == ENOTSUPP_, "%s: kernel says %d, semantics.md says 524", f->ctx,
		  on.err);
	expect_same_content(fn, fe, &f->ms, f->ctx);
	outcome_free(&on);
	outcome_free(&oe);
}

void ops_run_write(struct fixture *f, int fn, int fe, uint32_t cmd, const void *keys,
		      const void *values, uint32_t n, const char *ctx)
{
	struct outcome on, oe;
	struct call c;

	call_init(&c, cmd, fn);
	c.count = n;
	call_buf(&c, RQ_KEYS, RQ_VALID, n * f->ms.key_size, keys);
	if (values)
		call_buf(&c, RQ_VALUES, RQ_VALID, n * bu_stride(&f->ms), values);
	call_run(NULL, &c, &on, ctx);
	c.fd = fe;
	call_run(&f->peer, &c, &oe, ctx);
	expect_same(&on, &oe, CMP_ALL, ctx);
	outcome_free(&on);
	outcome_free(&oe);
	expect_same_content(fn, fe, &f->ms, ctx);
}

