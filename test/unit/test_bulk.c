/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The bulk path (core/bulk.h), in-process through the C API: the programs'
 * shape and the verifier's verdict, partial failures (count and errno of
 * the first failing element), bad pointers, vanished elements, and the
 * bound on how long a program keeps a closed map alive. meson runs it with
 * BPFBATCH_MODE=emulate BPFBATCH_BULK=1 here, and under `bpfbatch sim`
 * 5.4 (where hash maps lack LOOKUP_AND_DELETE_ELEM, so lookup-and-delete
 * goes in bulk too) and 4.14.
 */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfbatch.h"
#include "core/bulk.h"
#include "core/bulk_prog.h"
#include "platform/state.h"
#include "platform/stats.h"

static int new_map(enum bpf_map_type type, uint32_t ks, uint32_t vs, uint32_t max)
{
	int fd = bpf_map_create(type, NULL, ks, vs, max, NULL);

	if (fd < 0)
		cr_skip_test("cannot create a BPF map here (need root): %s", strerror(errno));
	return fd;
}

static void need_bulk(void)
{
	const char *why;

	if (!bb_bulk_available(&why))
		cr_skip_test("bulk path not available here: %s", why);
}

static uint64_t val(uint64_t k, uint64_t seed)
{
	return k * 1000003 + seed;
}

static void fill(int fd, uint64_t first, uint64_t n)
{
	for (uint64_t k = first; k < first + n; k++) {
		uint64_t v = val(k, 0);

		cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
}

/* @n bytes ending right before an inaccessible page (kept mapped, so that
 * no later mmap can fill the hole). */
static void *before_hole(size_t n)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = ((n + (size_t)pg - 1) / (size_t)pg + 1) * (size_t)pg;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert(p != MAP_FAILED);
	cr_assert_eq(mprotect(p + len - (size_t)pg, (size_t)pg, PROT_NONE), 0);
	return p + len - (size_t)pg - n;
}

/* Only instructions a 4.12 verifier knows, forward jumps inside the
 * program, exit last, within the limits bulk_prog.h states. */
Test(prog, every_shape_is_straight_line_and_small)
{
	static const uint32_t ks[] = { 1, 4, 8, 16, 64, 256 }, vs[] = { 1, 3, 4, 8, 12, 64, 256, 1024 };
	static const uint8_t ok[] = { 0x61, 0x69, 0x71, 0x63, 0x6b, 0x73, 0xbf, 0xb7, 0x07, 0x18,
				      0x00, 0x15, 0x55, 0x2d, 0x05, 0x85, 0x95 };
	struct bb_insn *insns = malloc(BB_BULK_INSNS_MAX * sizeof(*insns));
	unsigned int shapes = 0;

	for (int op = 0; op < BB_BULK_NOPS; op++)
		for (size_t a = 0; a < sizeof(ks) / sizeof(ks[0]); a++)
			for (size_t b = 0; b < sizeof(vs) / sizeof(vs[0]); b++) {
				struct bb_bulk_layout l;
				uint32_t n;

				if (bb_bulk_layout(op, ks[a], vs[b], &l))
					continue;
				shapes++;
				cr_assert(l.n >= BB_BULK_N_MIN && l.n <= BB_BULK_N_MAX);
				cr_assert(l.size <= BB_BULK_PKT_MAX && l.insns <= BB_BULK_INSNS_MAX);
				n = bb_bulk_prog_gen(op, &l, 3, insns);
				cr_assert_eq(n, l.insns, "op %d ks %u vs %u", op, ks[a], vs[b]);
				cr_assert_eq(insns[n - 1].code, 0x95);
				for (uint32_t i = 0; i < n; i++) {
					uint8_t c = insns[i].code;

					cr_assert(memchr(ok, c, sizeof(ok)), "opcode 0x%02x at %u", c, i);
					if ((c & 0x07) == 0x05 && c != 0x85 && c != 0x95)
						cr_assert(insns[i].off >= 0 &&
							  i + 1 + (uint32_t)insns[i].off < n,
							  "jump at %u", i);
					if (c == 0x18)
						i++; /* the second half of a 16-byte load */
				}
			}
	cr_assert_gt(shapes, 100);
	free(insns);
}

/* This kernel's verifier takes every shape the layout allows. */
Test(prog, this_verifier_takes_them)
{
	static const uint32_t ks[] = { 1, 4, 8, 16, 64 }, vs[] = { 1, 2, 3, 8, 12, 64, 512 };

	for (size_t a = 0; a < sizeof(ks) / sizeof(ks[0]); a++)
		for (size_t b = 0; b < sizeof(vs) / sizeof(vs[0]); b++) {
			int fd = new_map(BPF_MAP_TYPE_HASH, ks[a], vs[b], 16);

			for (int op = 0; op < BB_BULK_NOPS; op++) {
				struct bb_bulk_layout l;
				long p;

				if (bb_bulk_layout(op, ks[a], vs[b], &l))
					continue;
				p = bb_bulk_prog_load(op, &l, fd);
				cr_assert_geq(p, 0, "op %d ks %u vs %u: %s", op, ks[a], vs[b],
					      strerror((int)-p));
				close((int)p);
			}
			close(fd);
		}
}

/* A full hash stops the batch at the first new key: E2BIG, count = the
 * elements applied (existing keys still update), as the kernel's loop. */
Test(write, update_stops_where_the_map_is_full)
{
	enum { MAX = 64, N = 100 };
	int fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, MAX);
	uint64_t keys[N], vals[N], v;
	uint32_t count = N;

	need_bulk();
	fill(fd, 0, 10);
	for (uint64_t i = 0; i < N; i++) {
		keys[i] = i;
		vals[i] = val(i, 1);
	}
	cr_assert_eq(bpfbatch_map_update_batch(fd, keys, vals, &count, NULL), -E2BIG);
	cr_assert_eq(count, MAX);
	for (uint64_t k = 0; k < N; k++) {
		int r = bpf_map_lookup_elem(fd, &k, &v);

		cr_assert_eq(r, k < MAX ? 0 : -ENOENT, "key %llu", (unsigned long long)k);
		cr_assert(k >= MAX || v == val(k, 1));
	}
	cr_assert_gt(bb_stat_get(BB_STAT_BULK_RUNS), 0);
	close(fd);
}

Test(write, array_update_stops_at_the_first_index_out_of_range)
{
	enum { MAX = 300, N = 400 };
	int fd = new_map(BPF_MAP_TYPE_ARRAY, 4, 12, MAX);
	uint32_t keys[N], count = N;
	unsigned char vals[N * 12];

	need_bulk();
	for (uint32_t i = 0; i < N; i++)
		keys[i] = i;
	memset(vals, 0x5a, sizeof(vals));
	cr_assert_eq(bpfbatch_map_update_batch(fd, keys, vals, &count, NULL), -E2BIG);
	cr_assert_eq(count, MAX);
	close(fd);
}

/* DELETE_BATCH stops at the first missing key: ENOENT, count = deleted. */
Test(write, delete_stops_at_a_missing_key)
{
	enum { N = 401 };
	int fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, 1000);
	uint64_t keys[N], v;
	uint32_t count = N;

	need_bulk();
	fill(fd, 0, 400);
	for (uint64_t i = 0; i < N; i++)
		keys[i] = i < 300 ? i : i == 300 ? 5000 : i - 1;
	cr_assert_eq(bpfbatch_map_delete_batch(fd, keys, &count, NULL), -ENOENT);
	cr_assert_eq(count, 300);
	for (uint64_t k = 0; k < 400; k++)
		cr_assert_eq(bpf_map_lookup_elem(fd, &k, &v), k < 300 ? -ENOENT : 0);
	close(fd);
}

/* Keys or values that end at an unmapped page: the elements before the
 * first unreadable one are applied, then EFAULT with that count. */
Test(write, bad_pointers_stop_at_the_first_unreadable_element)
{
	int fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, 1000);
	uint64_t *keys = before_hole(70 * 8), *vals = before_hole(60 * 8), ids[100], all[100], v;
	uint32_t count = 100;

	need_bulk();
	for (uint64_t i = 0; i < 100; i++) {
		ids[i] = i;
		all[i] = val(i, 2);
	}
	for (uint64_t i = 0; i < 70; i++)
		keys[i] = i;
	cr_assert_eq(bpfbatch_map_update_batch(fd, keys, all, &count, NULL), -EFAULT);
	cr_assert_eq(count, 70);
	for (uint64_t i = 0; i < 60; i++)
		vals[i] = val(i, 3);
	count = 100;
	cr_assert_eq(bpfbatch_map_update_batch(fd, ids, vals, &count, NULL), -EFAULT);
	cr_assert_eq(count, 60);
	for (uint64_t k = 0; k < 100; k++) {
		int r = bpf_map_lookup_elem(fd, &k, &v);

		cr_assert_eq(r, k < 70 ? 0 : -ENOENT, "key %llu", (unsigned long long)k);
		cr_assert(k >= 70 || v == val(k, k < 60 ? 3 : 2));
	}
	count = 100;
	cr_assert_eq(bpfbatch_map_delete_batch(fd, keys, &count, NULL), -EFAULT);
	cr_assert_eq(count, 70);
	count = 5;
	cr_assert_eq(bpfbatch_map_update_batch(fd, (void *)16, all, &count, NULL), -EFAULT);
	cr_assert_eq(count, 0);
	close(fd);
}

/* A whole walk of a hash map holding keys 0..n-1 (values val(k, 0)) with
 * LOOKUP_BATCH or, if @del, LOOKUP_AND_DELETE_BATCH, @batch per call:
 * every key exactly once, with its value. */
static void walk_all(int fd, bool del, uint32_t batch, uint32_t n)
{
	uint64_t *keys = calloc(batch, 8), *vals = calloc(batch, 8);
	unsigned char *seen = calloc(n, 1);
	uint32_t tok = 0, total = 0;
	void *in = NULL;
	int r;

	cr_assert(keys && vals && seen);
	do {
		uint32_t count = batch;

		r = del ? bpfbatch_map_lookup_and_delete_batch(fd, in, &tok, keys, vals, &count,
							       NULL)
			: bpfbatch_map_lookup_batch(fd, in, &tok, keys, vals, &count, NULL);
		cr_assert(r == 0 || r == -ENOENT, "r = %d", r);
		for (uint32_t i = 0; i < count; i++) {
			cr_assert(keys[i] < n && !seen[keys[i]]);
			cr_assert_eq(vals[i], val(keys[i], 0));
			seen[keys[i]] = 1;
		}
		total += count;
		in = &tok;
	} while (!r);
	cr_assert_eq(total, n);
	free(keys);
	free(vals);
	free(seen);
}

/* A whole walk: every key once, the map's values, about one bpf syscall per
 * element (GET_NEXT_KEY; the values come a chunk per run). */
Test(lookup, hash_walk_returns_everything_once_at_one_syscall_per_element)
{
	enum { N = 3000, BATCH = 128 };
	int fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, N);
	uint64_t sys0, runs0;

	need_bulk();
	fill(fd, 0, N);
	sys0 = bb_stat_get(BB_STAT_BPF_SYSCALLS);
	runs0 = bb_stat_get(BB_STAT_BULK_RUNS);
	walk_all(fd, false, BATCH, N);
	cr_assert_gt(bb_stat_get(BB_STAT_BULK_RUNS), runs0);
	cr_assert_leq((double)(bb_stat_get(BB_STAT_BPF_SYSCALLS) - sys0) / N, 1.2);
	close(fd);
}

/*
 * Replaying a token (tokens are values) serves the keys its walk listed
 * from there, in bulk: those deleted since are skipped, and the call fills
 * up from the frontier, never returning a key twice.
 */
Test(lookup, a_replayed_chunk_skips_what_vanished)
{
	enum { N = 600, BATCH = 100 };
	int fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, N);
	uint64_t k1[BATCH], k2[BATCH], k3[BATCH], vals[BATCH];
	uint32_t t1 = 0, t2 = 0, t3 = 0, count = BATCH, gone = 0;

	need_bulk();
	fill(fd, 0, N);
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &t1, k1, vals, &count, NULL), 0);
	count = BATCH;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, &t1, &t2, k2, vals, &count, NULL), 0);
	for (uint32_t i = 0; i < BATCH; i += 3, gone++)
		cr_assert_eq(bpf_map_delete_elem(fd, &k2[i]), 0);
	count = BATCH;
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, &t1, &t3, k3, vals, &count, NULL), 0);
	cr_assert_eq(count, BATCH);
	/* First what is left of the second chunk, in its order ... */
	for (uint32_t i = 0, j = 0; i < BATCH; i++) {
		if (i % 3 == 0)
			continue;
		cr_assert_eq(k3[j], k2[i], "slot %u", j);
		cr_assert_eq(vals[j], val(k3[j], 0));
		j++;
	}
	/* ... then keys no earlier chunk returned. */
	for (uint32_t j = BATCH - gone; j < BATCH; j++) {
		for (uint32_t i = 0; i < BATCH; i++)
			cr_assert(k3[j] != k1[i] && k3[j] != k2[i], "key %llu twice",
				  (unsigned long long)k3[j]);
		cr_assert_eq(vals[j], val(k3[j], 0));
	}
	close(fd);
}

/* A lookup whose values cannot be written: EFAULT (count 0), and the keys
 * as the kernel leaves them, each key written before its value. */
Test(lookup, array_values_unwritable)
{
	enum { N = 200, BATCH = 50 };
	int fd = new_map(BPF_MAP_TYPE_ARRAY, 4, 8, N);
	uint32_t keys[BATCH], count = BATCH, tok;
	uint64_t *vals = before_hole(20 * 8);

	need_bulk();
	memset(keys, 0xab, sizeof(keys));
	cr_assert_eq(bpfbatch_map_lookup_batch(fd, NULL, &tok, keys, vals, &count, NULL), -EFAULT);
	cr_assert_eq(count, 0);
	for (uint32_t i = 0; i < BATCH; i++)
		cr_assert_eq(keys[i], i <= 20 ? i : 0xababababU, "key slot %u", i);
	close(fd);
}

/* Lookup-and-delete in bulk, where the kernel has no atomic
 * LOOKUP_AND_DELETE_ELEM for hash maps (the simulated 5.4). */
Test(lookup, lookup_and_delete_drains_once)
{
	enum { N = 2000, BATCH = 150 };
	int fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, N);
	uint64_t k = 0, runs0;

	need_bulk();
	fill(fd, 0, N);
	runs0 = bb_stat_get(BB_STAT_BULK_RUNS);
	walk_all(fd, true, BATCH, N);
	cr_assert_eq(bpf_map_get_next_key(fd, NULL, &k), -ENOENT);
	if (bb_type_lookup_and_delete_elem(BPF_MAP_TYPE_HASH) == BB_TRI_NO)
		cr_assert_gt(bb_stat_get(BB_STAT_BULK_RUNS), runs0);
	close(fd);
}

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

/*
 * The bound (bulk_cache.h): a program keeps its map alive at most
 * BB_BULK_IDLE_MS after the last call that used it. Right after the caller
 * closes its last fd the map still exists (our program holds it); within
 * the bound (plus the kernel's RCU grace period) its id is gone, without
 * any further call; and the closing thread has left.
 */
Test(lifetime, a_closed_map_is_freed_within_the_bound, .timeout = 30)
{
	enum { N = 500 };
	int fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, N), again;
	uint64_t keys[N], vals[N], t0, t;
	uint32_t id, count = N;
	unsigned int progs, closers;

	need_bulk();
	for (uint64_t i = 0; i < N; i++)
		keys[i] = vals[i] = i;
	cr_assert_eq(bpfbatch_map_update_batch(fd, keys, vals, &count, NULL), 0);
	bb_bulk_cache_usage(&progs, &closers);
	cr_assert(progs >= 1 && closers == 1, "programs %u, closers %u", progs, closers);
	id = map_id(fd);
	close(fd);
	t0 = ms_now();
	again = bpf_map_get_fd_by_id(id);
	cr_assert_geq(again, 0, "the map went with its fd: the program did not hold it");
	close(again);
	while ((again = bpf_map_get_fd_by_id(id)) >= 0 && ms_now() - t0 < 10000) {
		close(again);
		usleep(10000);
	}
	t = ms_now() - t0;
	cr_assert_lt(again, 0);
	cr_log_info("map %u freed %llu ms after its last fd was closed", id, (unsigned long long)t);
	cr_assert_leq(t, BB_BULK_IDLE_MS + 500, "freed after %llu ms", (unsigned long long)t);
	usleep(100000);
	bb_bulk_cache_usage(&progs, &closers);
	cr_assert(progs == 0 && closers == 0, "programs %u, closers %u", progs, closers);
}

/* A fork child does not inherit kept programs: it closes its copies. */
Test(lifetime, a_fork_child_keeps_no_program)
{
	enum { N = 300 };
	int fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, N), status;
	uint64_t keys[N], vals[N];
	uint32_t count = N;
	unsigned int progs, closers;
	pid_t pid;

	need_bulk();
	for (uint64_t i = 0; i < N; i++)
		keys[i] = vals[i] = i;
	cr_assert_eq(bpfbatch_map_update_batch(fd, keys, vals, &count, NULL), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		bb_bulk_cache_usage(&progs, &closers);
		_exit(progs == 0 && closers == 0 ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
}
