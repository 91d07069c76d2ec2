/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

int fz_model_init(struct fz_model *m, const struct fz_univ *u)
{
	memset(m, 0, sizeof(*m));
	m->n = u->n;
	m->stride = u->stride;
	m->present = calloc(u->n ? u->n : 1, 1);
	m->val = calloc(u->n ? u->n : 1, u->stride);
	if (!m->present || !m->val)
		return -ENOMEM;
	if (u->fam == FZ_FAM_ARRAY) {
		memset(m->present, 1, u->n);
		m->count = u->n;
	}
	return 0;
}

void fz_model_free(struct fz_model *m)
{
	free(m->present);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

void fz_model_copy(struct fz_model *dst, const struct fz_model *src)
{
	memcpy(dst->present, src->present, src->n);
	memcpy(dst->val, src->val, (size_t)src->n * src->stride);
	dst->count = src->count;
	dst->version++;
}

const uint8_t *fz_model_val(const struct fz_model *m, uint32_t i)
{
	return m->val + (size_t)i * m->stride;
}

void fz_model_put(struct fz_model *m, uint32_t i, const void *val)
{
	if (!m->present[i])
		m->count++;
	m->present[i] = 1;
	memcpy(m->val + (size_t)i * m->stride, val, m->stride);
	m->version++;
}

void fz_model_drop(struct fz_model *m, uint32_t i)
{
	if (m->present[i])
		m->count--;
	m->present[i] = 0;
	memset(m->val + (size_t)i * m->stride, 0, m->stride);
	m->version++;
}

int fz_model_read(struct fz_model *out, const struct fz_univ *u, int fd)
{
	uint8_t key[FZ_KEY_MAX], next[FZ_KEY_MAX], val[FZ_STRIDE_MAX];
	void *prev = NULL;
	uint32_t guard = 0;
	int r = fz_model_init(out, u);

	if (r)
		return r;
	/* arrays: every index is there; read them all */
	memset(out->present, 0, u->n);
	out->count = 0;
	for (;;) {
		long i;

		if (bpf_map_get_next_key(fd, prev, next))
			return errno == ENOENT ? 0 : -errno;
		if (++guard > 4 * u->ms.max_entries + 16)
			return -ELOOP;
		if (bpf_map_lookup_elem(fd, next, val)) {
			if (errno != ENOENT)
				return -errno;
		} else {
			i = fz_key_index(u, next);
			if (i < 0)
				return -EUCLEAN;
			fz_model_put(out, (uint32_t)i, val);
		}
		memcpy(key, next, u->ms.key_size);
		prev = key;
	}
}

long fz_model_diff(const struct fz_model *a, const struct fz_model *b)
{
	for (uint32_t i = 0; i < a->n; i++) {
		if (a->present[i] != b->present[i])
			return i;
		if (a->present[i] && memcmp(fz_model_val(a, i), fz_model_val(b, i), a->stride))
			return i;
	}
	return -1;
}

const char *fz_model_desc(const struct fz_univ *u, const struct fz_model *m, uint32_t i,
			  char *buf, unsigned len)
{
	char ks[64];
	unsigned o;

	fz_key_str(u, i, ks, sizeof(ks));
	if (!m->present[i]) {
		snprintf(buf, len, "%s absent", ks);
		return buf;
	}
	o = (unsigned)snprintf(buf, len, "%s v=", ks);
	for (uint32_t b = 0; b < m->stride && b < 8 && o + 3 < len; b++)
		o += (unsigned)snprintf(buf + o, len - o, "%02x", fz_model_val(m, i)[b]);
	return buf;
}
