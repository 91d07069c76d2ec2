/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The bulk path's one-time self-test (bulk.h): on a scratch 4-entry hash
 * map, each program kind is loaded and run, including the failures that
 * matter (a full map, a missing key), and the outcome is compared with
 * single-element commands. Whatever fails says why, and the path stays off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "core/bulk.h"
#include "platform/mem.h"
#include "platform/raw.h"
#include "platform/state.h"

#define SCRATCH_ENTRIES 4

static char why[112]; /* written once, under bb_bulk_available()'s pthread_once */

static const char *fail(const char *what, long err)
{
	snprintf(why, sizeof(why), "%s: %s", what,
		 err < 0 ? strerror((int)-err)
		 : err ? "the kernel cut the test packet short" : "wrong result");
	return why;
}

static void close_fd(long fd)
{
	if (fd >= 0)
		bb_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
}

/*
 * Before 5.11 programs and maps are charged to RLIMIT_MEMLOCK, whose budget
 * is the host's: with a finite limit our programs could make its own map
 * creations fail. 5.11 charges memory cgroups instead, and brought
 * bpf_ktime_get_coarse_ns (helper 160): a program calling it loads only
 * there (the probe libbpf also uses to tell the two apart).
 */
static const char *memlock_check(void)
{
	static const struct bb_insn probe[] = {
		{ 0x85, 0, 0, 160 }, /* call bpf_ktime_get_coarse_ns */
		{ 0x95, 0, 0, 0 },   /* exit */
	};
	struct bb_prog_load_attr a;
	struct rlimit rl;
	long fd;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return NULL;
	memset(&a, 0, sizeof(a));
	a.prog_type = 1; /* SOCKET_FILTER */
	a.insn_cnt = 2;
	a.insns = (uint64_t)(uintptr_t)probe;
	a.license = (uint64_t)(uintptr_t)"GPL";
	fd = bb_raw_bpf(BB_PROG_LOAD, &a, BB_PROG_LOAD_ATTR_SIZE_4_12);
	if (fd >= 0) {
		close_fd(fd);
		return NULL;
	}
	return "RLIMIT_MEMLOCK is finite and this kernel charges BPF memory to it "
	       "(before 5.11)";
}

/*
 * Does the kernel have an atomic LOOKUP_AND_DELETE_ELEM for hash maps
 * (5.14)? The element path learns it from its first real element; the bulk
 * path must know before it starts (where the kernel has it, lookup-and-
 * delete stays on the element path), so it asks an empty scratch map:
 * ENOENT where the command exists for the type, ENOTSUPP (or EINVAL before
 * 4.20) where not. Three syscalls, once.
 */
void bb_bulk_learn_lookup_and_delete(void)
{
	struct bb_map_create_attr ma = { BB_MAP_TYPE_HASH, 4, 4, 1, 0 };
	uint32_t key = 0, value;
	long fd = bb_raw_bpf(BB_MAP_CREATE, &ma, sizeof(ma)), r;

	if (fd < 0)
		return;
	r = bb_raw_map_lookup_and_delete((int)fd, &key, &value, 0);
	if (r == -ENOENT || r == 0)
		bb_type_set_lookup_and_delete_elem(BB_MAP_TYPE_HASH, true);
	else if (r == -BB_ENOTSUPP || r == -EOPNOTSUPP || r == -EINVAL)
		bb_type_set_lookup_and_delete_elem(BB_MAP_TYPE_HASH, false);
	close_fd(fd);
}

struct scratch {
	struct bb_emu_call c;
	struct bb_bulk b[BB_BULK_NOPS];
	unsigned char pkt[BB_BULK_NOPS][BB_BULK_PKT_MAX];
};

static uint64_t val(uint64_t key)
{
	return key * 0x0101010101010101ULL;
}

/* Run @op on @n keys (values val(key)); true if it stopped where expected. */
static bool run(struct scratch *s, enum bb_bulk_op op, const uint64_t *keys, uint32_t n,
		uint32_t want_done, int32_t want_err, long *r)
{
	struct bb_bulk *b = &s->b[op];
	const struct bb_bulk_layout *l = &b->prog.l;
	uint32_t done;
	int32_t err;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t v = val(keys[i]);

		memcpy(b->pkt + l->keys_off + i * 8, &keys[i], 8);
		if (l->values_off)
			memcpy(b->pkt + l->values_off + i * 8, &v, 8);
	}
	*r = bb_bulk_run(b, n, &done, &err);
	if (*r || done != want_done || err != want_err)
		return false;
	/* Lookups: the values copied out are the map's. */
	for (uint32_t i = 0; op >= BB_BULK_LOOKUP && i < done; i++) {
		uint64_t v;

		memcpy(&v, b->pkt + l->values_off + i * 8, 8);
		if (v != val(keys[i]))
			return false;
	}
	return true;
}

/* What single-element lookups say: key present with its value, or ENOENT. */
static bool holds(int fd, uint64_t key, bool present)
{
	uint64_t v = 0;
	long r = bb_raw_map_lookup(fd, &key, &v, 0);

	return present ? r == 0 && v == val(key) : r == -ENOENT;
}

static const char *exercise(struct scratch *s)
{
	static const uint64_t upd[] = { 1, 2, 3, 4, 5 }, get[] = { 1, 9, 2 };
	static const uint64_t del[] = { 1, 2, 9, 3 }, getdel[] = { 3, 4 };
	int fd = s->c.m.fd;
	long r;
	bool ok = run(s, BB_BULK_UPDATE, upd, 5, 4, -E2BIG, &r);

	if (r == -EINVAL)
		return fail("PROG_TEST_RUN (4.12)", r);
	if (!ok || !holds(fd, 4, true) || !holds(fd, 1, true) || !holds(fd, 5, false))
		return fail("update into a full map", r);
	if (!run(s, BB_BULK_LOOKUP, get, 3, 1, -ENOENT, &r) ||
	    !run(s, BB_BULK_LOOKUP, get + 2, 1, 1, 0, &r))
		return fail("lookup with a missing key", r);
	if (!run(s, BB_BULK_DELETE, del, 4, 2, -ENOENT, &r) || !holds(fd, 1, false) ||
	    !holds(fd, 2, false) || !holds(fd, 3, true))
		return fail("delete with a missing key", r);
	if (!run(s, BB_BULK_LOOKUP_DELETE, getdel, 2, 2, 0, &r) || !holds(fd, 3, false) ||
	    !holds(fd, 4, false))
		return fail("lookup-and-delete", r);
	return NULL;
}

const char *bb_bulk_selftest(void)
{
	struct bb_map_create_attr ma = { BB_MAP_TYPE_HASH, 8, 8, SCRATCH_ENTRIES, 0 };
	static struct scratch s; /* under the caller's pthread_once */
	const char *w;
	uint64_t probe = 0;
	long fd, r;

	if (bb_mem_read_elems(&probe, &probe, sizeof(probe), 1) != 1)
		return "process_vm_readv is not available (seccomp?)";
	if ((w = memlock_check()))
		return w;
	fd = bb_raw_bpf(BB_MAP_CREATE, &ma, sizeof(ma));
	if (fd < 0)
		return fail("MAP_CREATE", fd);
	memset(&s, 0, sizeof(s));
	/* Programs are kept per map id: only the kernel's own ids (4.13) are
	 * sure to name one map for as long as a program holds it. */
	r = bb_map_get((int)fd, &s.c.m);
	w = r ? fail("map facts", r) : NULL;
	if (!w && bb_feature_get(BB_FEAT_OBJ_INFO) != BB_TRI_YES)
		w = "no OBJ_GET_INFO_BY_FD, so no map ids (kernel before 4.13)";
	for (int op = 0; op < BB_BULK_NOPS && !w; op++) {
		struct bb_bulk *b = &s.b[op];

		b->pkt = s.pkt[op];
		b->c = &s.c;
		b->prog.op = (enum bb_bulk_op)op;
		r = bb_bulk_layout(b->prog.op, 8, 8, &b->prog.l);
		b->prog.fd = r ? (int)r : (int)bb_bulk_prog_load(b->prog.op, &b->prog.l, (int)fd);
		if (b->prog.fd < 0)
			w = fail("PROG_LOAD", b->prog.fd);
	}
	if (!w)
		w = exercise(&s);
	for (int op = 0; op < BB_BULK_NOPS; op++)
		close_fd(s.b[op].prog.fd > 0 ? s.b[op].prog.fd : -1);
	close_fd(fd);
	return w;
}
