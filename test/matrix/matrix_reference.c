/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* --reference: each batch command replaced by a loop of single-element
 * commands with the batch command's semantics, the ground truth for cells
 * the running kernel refuses (524). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "platform/uapi.h"

#include "matrix.h"

/*
 * Which commands make sense for a type is decided by the kernel's own
 * single-element answers on a scratch map of the type, never by a table:
 * a type-level refusal is what the syscall says whatever the data —
 * no key iteration (GET_NEXT_KEY is EINVAL/524/95), a lookup the syscall
 * refuses (524, 95), a delete or update it refuses for valid data (EINVAL,
 * e.g. array slots, stack traces). Such a batch command is the kernel's 524.
 */

struct refusal probe_refusals(const struct mtype *t)
{
	struct refusal rf = { { false } };
	struct cell c = { .t = t, .stride = value_stride(t) };
	uint8_t key[64], val[4096];
	int fd, err;

	fd = create_map(t);
	if (fd < 0)
		return rf;
	c.fd = fd;
	make_objs(t, &c.o);

	err = bpf_map_get_next_key(fd, NULL, key);
	if (err && err != -ENOENT) {
		for (int i = 0; i < C_NUM; i++)
			rf.cmd[i] = true;
		goto out;
	}
	make_key(t, 0, key);
	err = bpf_map_lookup_elem(fd, key, val);
	if (err == -BB_ENOTSUPP || err == -EOPNOTSUPP)
		rf.cmd[C_LOOKUP] = rf.cmd[C_LOOKUP_AND_DELETE] = true;
	make_value(&c, 0, 0, val);
	err = bpf_map_update_elem(fd, key, val, BPF_ANY);
	if (err == -EINVAL)
		rf.cmd[C_UPDATE] = true;
	err = bpf_map_delete_elem(fd, key);
	if (err == -EINVAL)
		rf.cmd[C_DELETE] = rf.cmd[C_LOOKUP_AND_DELETE] = true;
out:
	close(fd);
	free_objs(&c.o);
	return rf;
}

struct refusal ref_refusal;

/* A lookup batch as the generic walk does it, but skipping vanished keys
 * (6.14+) and taking the token as "the last key returned". */
int ref_lookup(struct cell *c, bool del, void *in, void *out, void *keys, void *vals,
		      uint32_t *count)
{
	const struct mtype *t = c->t;
	uint8_t prev[64], next[64];
	uint32_t n = 0;
	bool have_prev = in != NULL;
	int err = 0;

	if (ref_refusal.cmd[del ? C_LOOKUP_AND_DELETE : C_LOOKUP])
		return -BB_ENOTSUPP;
	if (have_prev)
		memcpy(prev, in, t->key_size);
	while (n < *count) {
		uint8_t *k = (uint8_t *)keys + n * t->key_size;
		uint8_t *v = (uint8_t *)vals + n * c->stride;

		err = bpf_map_get_next_key(c->fd, have_prev ? prev : NULL, next);
		if (err)
			break;
		memcpy(prev, next, t->key_size);
		have_prev = true;
		err = bpf_map_lookup_elem(c->fd, next, v);
		if (err == -ENOENT)
			continue;
		if (err)
			break;
		if (del && (err = bpf_map_delete_elem(c->fd, next)))
			break;
		memcpy(k, next, t->key_size);
		n++;
	}
	*count = n;
	if (n)
		memcpy(out, (uint8_t *)keys + (n - 1) * t->key_size, t->key_size);
	if (err && err != -ENOENT)
		*count = 0;
	return err;
}

int ref_update(struct cell *c, const void *keys, const void *vals, uint32_t *count)
{
	uint32_t i;
	int err = 0;

	if (ref_refusal.cmd[C_UPDATE])
		return -BB_ENOTSUPP;
	for (i = 0; i < *count && !err; i++)
		err = bpf_map_update_elem(c->fd, (const uint8_t *)keys + i * c->t->key_size,
					  (const uint8_t *)vals + i * c->stride, BPF_ANY);
	*count = err ? i - 1 : i;
	return err;
}

int ref_delete(struct cell *c, const void *keys, uint32_t *count)
{
	uint32_t i;
	int err = 0;

	if (ref_refusal.cmd[C_DELETE])
		return -BB_ENOTSUPP;
	for (i = 0; i < *count && !err; i++)
		err = bpf_map_delete_elem(c->fd, (const uint8_t *)keys + i * c->t->key_size);
	*count = err ? i - 1 : i;
	return err;
}
