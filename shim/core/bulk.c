/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The bulk path's policy and its runs (bulk.h). What it serves, and why
 * exactly there (each helper is the map's own op, the one the syscall calls;
 * the differences are in what surrounds it):
 *
 * - HASH: update, delete, lookup, lookup-and-delete. The helpers call
 *   htab_map_update_elem / _delete_elem / the lookup the syscall uses; the
 *   elements come from the same preallocated free lists or the same
 *   allocator (GFP_ATOMIC kmalloc before 6.1, bpf_mem_alloc after, from
 *   either side), so a full map is E2BIG and a failed allocation ENOMEM
 *   alike. Lookup-and-delete only where the kernel has no atomic
 *   LOOKUP_AND_DELETE_ELEM for the type (hash maps before 5.14): there the
 *   element path is a lookup then a delete too, and the program does the
 *   same two steps with less time between them.
 * - LRU_HASH: update and delete only. A helper lookup sets the element's
 *   LRU reference bit; the syscall's does not (map_lookup_elem_sys_only,
 *   5.1), so lookups through a program would change what is evicted later.
 * - ARRAY: update and lookup (arrays have no delete).
 * Never: per-CPU maps (a helper sees this CPU's slot only), fd and
 * map-in-map types (values are fds in, ids out), LPM tries, BPF_F_LOCK
 * (taken under the element's spin lock by the syscall; by no helper), maps
 * with BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG (5.2: programs may not write or
 * read them), and values with special fields (the verifier refuses the
 * program's narrow loads, see bulk_prog.c). One difference remains and is
 * not in the batch contract: the syscall holds off kprobe-attached programs
 * while it runs the map op (bpf_prog_active); a program run does not.
 */
#include "core/bulk.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "platform/log.h"
#include "platform/mem.h"
#include "platform/raw.h"
#include "platform/state.h"
#include "platform/stats.h"

static struct {
	pthread_once_t once;
	const char *why;  /* NULL: available; set once, under once */
	_Atomic int tri;  /* enum bb_tri: known without the once */
} avail = { .once = PTHREAD_ONCE_INIT };

static void check_once(void)
{
	avail.why = bb_state_bulk() ? bb_bulk_selftest() : "BPFBATCH_BULK=0";
	if (avail.why)
		bb_log("bulk: off: %s", avail.why);
	atomic_store(&avail.tri, avail.why ? BB_TRI_NO : BB_TRI_YES);
}

bool bb_bulk_available(const char **why)
{
	pthread_once(&avail.once, check_once);
	if (why)
		*why = avail.why ? avail.why : "ok";
	return !avail.why;
}

static bool may_load(void)
{
	return bb_bulk_available(NULL);
}

static pthread_once_t lde_once = PTHREAD_ONCE_INIT;

static bool serves(const struct bb_emu_call *c, enum bb_bulk_op op)
{
	const struct bb_map_info *i = &c->m.info;

	/* Programs are kept per map id: the kernel's own (4.13), never the
	 * stand-in the fdinfo path makes up on older kernels. */
	if (c->a.elem_flags || bb_feature_get(BB_FEAT_OBJ_INFO) != BB_TRI_YES ||
	    (i->map_flags & (BB_F_RDONLY_PROG | BB_F_WRONLY_PROG)))
		return false;
	switch (i->type) {
	case BB_MAP_TYPE_HASH:
		break;
	case BB_MAP_TYPE_LRU_HASH:
		if (op != BB_BULK_UPDATE && op != BB_BULK_DELETE)
			return false;
		break;
	case BB_MAP_TYPE_ARRAY:
		if (op != BB_BULK_UPDATE && op != BB_BULK_LOOKUP)
			return false;
		break;
	default:
		return false;
	}
	if (op != BB_BULK_LOOKUP_DELETE)
		return true;
	if (bb_type_lookup_and_delete_elem(i->type) == BB_TRI_UNKNOWN)
		pthread_once(&lde_once, bb_bulk_learn_lookup_and_delete);
	return bb_type_lookup_and_delete_elem(i->type) == BB_TRI_NO;
}

long bb_bulk_open(const struct bb_emu_call *c, enum bb_bulk_op op, struct bb_bulk *b)
{
	memset(b, 0, sizeof(*b));
	b->prog.fd = -1;
	if (atomic_load_explicit(&avail.tri, memory_order_relaxed) == BB_TRI_NO ||
	    !bb_state_bulk() || !serves(c, op) ||
	    bb_bulk_cache_get(&c->m, op, c->a.count, may_load, &b->prog))
		return BB_BULK_DECLINED;
	b->pkt = malloc(b->prog.l.size);
	if (!b->pkt) {
		bb_bulk_cache_put(&b->prog);
		return BB_BULK_DECLINED;
	}
	b->c = c;
	return 0;
}

void bb_bulk_close(struct bb_bulk *b)
{
	if (b->prog.fd >= 0)
		bb_bulk_cache_put(&b->prog);
	free(b->pkt);
	b->pkt = NULL;
}

long bb_bulk_run(struct bb_bulk *b, uint32_t n, uint32_t *done, int32_t *err)
{
	const struct bb_bulk_layout *l = &b->prog.l;
	uint32_t hdr[3] = { n, 0, BB_BULK_NOT_RUN };
	struct bb_test_run_attr a;
	long r;

	memcpy(b->pkt, hdr, sizeof(hdr));
	memset(&a, 0, sizeof(a));
	a.prog_fd = (uint32_t)b->prog.fd;
	a.data_in = a.data_out = (uint64_t)(uintptr_t)b->pkt;
	a.data_size_in = a.data_size_out = l->size; /* out: a size hint since 5.0 */
	a.repeat = 1;
	r = bb_raw_bpf(BB_PROG_TEST_RUN, &a, sizeof(a));
	if (r)
		return r;
	memcpy(hdr, b->pkt, sizeof(hdr));
	/* A packet the kernel cut short stops the program at its bounds check,
	 * before any helper call: nothing was done. */
	if (a.data_size_out != l->size || hdr[2] == BB_BULK_NOT_RUN || hdr[1] > n)
		return BB_BULK_DECLINED;
	bb_stat_add(BB_STAT_BULK_RUNS, 1);
	bb_stat_add(BB_STAT_BULK_ELEMENTS, hdr[1]);
	*done = hdr[1];
	*err = (int32_t)hdr[2];
	return 0;
}

/* The rest by single-element commands, where a run failed (it did nothing). */
static long take_by_element(struct bb_bulk *b, const unsigned char *keys, uint32_t n,
			    unsigned char *values, unsigned char *present, uint32_t *done)
{
	const uint32_t ks = b->prog.l.key_size, vs = b->prog.l.value_size;
	bool del = b->prog.op == BB_BULK_LOOKUP_DELETE;
	uint32_t j;

	for (j = 0; j < n; j++) {
		long r = bb_emu_take(b->c, keys + (size_t)j * ks, values + (size_t)j * vs, del);

		if (r && r != -ENOENT) {
			*done = j;
			return r;
		}
		present[j] = !r;
	}
	*done = n;
	return 0;
}

long bb_bulk_take(struct bb_bulk *b, const void *keys, uint32_t n, void *values,
		  unsigned char *present, uint32_t *done)
{
	const struct bb_bulk_layout *l = &b->prog.l;
	const unsigned char *k = keys;
	unsigned char *v = values;
	uint32_t j = 0;

	while (j < n) {
		uint32_t m = n - j < l->n ? n - j : l->n, got;
		int32_t err;
		long r;

		memcpy(b->pkt + l->keys_off, k + (size_t)j * l->key_size, (size_t)m * l->key_size);
		r = bb_bulk_run(b, m, &got, &err);
		if (r) {
			bb_log("bulk: PROG_TEST_RUN failed (%ld): element path", r);
			r = take_by_element(b, k + (size_t)j * l->key_size, n - j,
					    v + (size_t)j * l->value_size, present + j, done);
			*done += j;
			return r;
		}
		memcpy(v + (size_t)j * l->value_size, b->pkt + l->values_off,
		       (size_t)got * l->value_size);
		memset(present + j, 1, got);
		j += got;
		if (err == -ENOENT) { /* vanished since its key was met: skipped */
			present[j++] = 0;
		} else if (err) {
			*done = j;
			return err;
		}
	}
	*done = n;
	return 0;
}

/*
 * Keys and values are read the way the kernel reads them, element by
 * element (key first): the elements before the first unreadable byte are
 * applied, then EFAULT, count = those applied.
 */
long bb_bulk_write(struct bb_emu_call *c, bool del, uint32_t *i)
{
	const char *keys = (const char *)(uintptr_t)c->a.keys;
	const char *values = (const char *)(uintptr_t)c->a.values;
	struct bb_bulk b;
	long r = 0;

	*i = 0;
	if (bb_bulk_open(c, del ? BB_BULK_DELETE : BB_BULK_UPDATE, &b))
		return BB_BULK_DECLINED;
	const struct bb_bulk_layout *l = &b.prog.l;

	while (*i < c->a.count) {
		uint32_t k = c->a.count - *i < l->n ? c->a.count - *i : l->n, done;
		const char *ukeys = keys + (size_t)*i * l->key_size;
		const char *uvalues = values + (size_t)*i * l->value_size;
		long got = k;
		int32_t err;

		/* Keys and values in one syscall where both are whole; else
		 * element by element, to find the first that is not. */
		if (del || bb_mem_read2(b.pkt + l->keys_off, ukeys, (size_t)k * l->key_size,
					b.pkt + l->values_off, uvalues,
					(size_t)k * l->value_size)) {
			got = bb_mem_read_elems(b.pkt + l->keys_off, ukeys, l->key_size, k);
			if (got > 0 && !del)
				got = bb_mem_read_elems(b.pkt + l->values_off, uvalues,
							l->value_size, (uint32_t)got);
		}
		if (got < 0 || (got > 0 && bb_bulk_run(&b, (uint32_t)got, &done, &err))) {
			r = BB_BULK_DECLINED; /* no process_vm_*, or the run did nothing */
			break;
		}
		if (got > 0) {
			*i += done;
			if (err) {
				r = err;
				break;
			}
		}
		if ((uint32_t)got < k) {
			r = -EFAULT;
			break;
		}
	}
	bb_bulk_close(&b);
	return r;
}
