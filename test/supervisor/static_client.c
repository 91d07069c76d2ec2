/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A statically linked batch client: raw syscall(__NR_bpf, ...), no libbpf, no
 * shim, so LD_PRELOAD cannot reach it and only the supervisor can serve it.
 * Each mode prints one line per observation, in a form that does not depend
 * on how the kernel chunks hash buckets, so the output of a native run and a
 * supervised run on a simulated old kernel can be compared as text.
 *
 * Modes: basic | efault | threads | fork | forkexec | die | token | devmap here;
 * retry | drain | writeback (client_retry.c), foreign (client_fds.c)
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/bpf.h> /* program loading: the shim has no need of it */

#include "platform/uapi.h" /* the batch attr layout, shared with the shim */

#include "client_util.h"

static const char *tname(uint32_t type)
{
	return type == BB_MAP_TYPE_HASH ? "hash" : "array";
}

static uint32_t key_of(uint32_t type, uint32_t i)
{
	return type == BB_MAP_TYPE_HASH ? i * 3 + 1 : i;
}

static long fill(uint32_t type, int fd, uint32_t n, uint32_t *count)
{
	uint32_t keys[256];
	uint64_t vals[256];

	for (uint32_t i = 0; i < n; i++) {
		keys[i] = key_of(type, i);
		vals[i] = (uint64_t)keys[i] * 100 + 7;
	}
	*count = n;
	return batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, count, 0, 0);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Walk the whole map with @cmd in batches of @bs; print a digest of what came
 * back (sorted, so bucket chunking does not show) and how the walk ended. */
static void walk(uint32_t type, int fd, int cmd, const uint32_t bs0, const char *tag)
{
	uint32_t bs = bs0;
	uint32_t keys[512], tok = 0, n = 0, count, dups = 0, calls = 0, bad = 0;
	uint64_t vals[512], sum = 0;
	long r;

	for (;;) {
		count = bs;
		r = batch(cmd, fd, calls ? &tok : NULL, &tok, keys + n, vals + n, &count, 0, 0);
		calls++;
		if (type == BB_MAP_TYPE_ARRAY)
			printf("%s %s call %u: r=%ld count=%u\n", tname(type), tag, calls, r, count);
		/* A native hash bucket larger than the batch: grow, retry from
		 * the same token, as clients do (the emulation never asks). */
		if (r == -ENOSPC && bs < 64) {
			bs *= 2;
			continue;
		}
		if (r && r != -ENOENT)
			break;
		for (uint32_t i = n; i < n + count; i++)
			if (vals[i] != (uint64_t)keys[i] * 100 + 7 && vals[i] != 0)
				bad++;
		n += count;
		if (r == -ENOENT || n + bs > 512 || calls > 200)
			break;
	}
	qsort(keys, n, sizeof(keys[0]), cmp_u32);
	for (uint32_t i = 0; i < n; i++) {
		sum = sum * 31 + keys[i];
		if (i && keys[i] == keys[i - 1])
			dups++;
	}
	printf("%s %s batch %u: end r=%ld total=%u dups=%u badvals=%u digest=%llu\n", tname(type),
	       tag, bs0, r, n, dups, bad, (unsigned long long)sum);
}

static void basic(uint32_t type)
{
	const char *t = tname(type);
	uint32_t count, keys[8] = { 0 }, tok = 0;
	uint64_t vals[8] = { 0 };
	int fd = map_create(type, 64);
	long r;

	r = fill(type, fd, 40, &count);
	printf("%s update: r=%ld count=%u\n", t, r, count);
	walk(type, fd, BB_MAP_LOOKUP_BATCH, 7, "lookup");
	walk(type, fd, BB_MAP_LOOKUP_BATCH, 64, "lookup");
	walk(type, fd, BB_MAP_LOOKUP_BATCH, 65, "lookup");

	count = 5;
	r = batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &count, 1 /* NOEXIST */, 0);
	printf("%s update NOEXIST: r=%ld count=%u\n", t, r, count);
	count = 0;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, NULL, NULL, &count, 0, 0);
	printf("%s lookup count 0: r=%ld count=%u\n", t, r, count);
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, keys, vals, &count, 0, 1);
	printf("%s lookup flags 1: r=%ld count=%u\n", t, r, count);
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, -1, NULL, &tok, keys, vals, &count, 0, 0);
	printf("%s lookup bad fd: r=%ld count=%u\n", t, r, count);
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, 1, NULL, &tok, keys, vals, &count, 0, 0);
	printf("%s lookup non-map fd: r=%ld count=%u\n", t, r, count);

	keys[0] = key_of(type, 0);
	keys[1] = key_of(type, 1);
	keys[2] = key_of(type, 2);
	count = 3;
	r = batch(BB_MAP_DELETE_BATCH, fd, NULL, NULL, keys, NULL, &count, 0, 0);
	printf("%s delete: r=%ld count=%u\n", t, r, count);
	keys[0] = key_of(type, 3);
	keys[1] = 999999;
	keys[2] = key_of(type, 4);
	count = 3;
	r = batch(BB_MAP_DELETE_BATCH, fd, NULL, NULL, keys, NULL, &count, 0, 0);
	printf("%s delete missing: r=%ld count=%u\n", t, r, count);
	walk(type, fd, BB_MAP_LOOKUP_BATCH, 10, "after-delete");

	walk(type, fd, BB_MAP_LOOKUP_AND_DELETE_BATCH, 5, "lookup-and-delete");
	walk(type, fd, BB_MAP_LOOKUP_BATCH, 5, "after-lookup-and-delete");
	close(fd);
}

static void efault(uint32_t type)
{
	const char *t = tname(type);
	uint32_t keys[16], count, tok = 0, *gk;
	uint64_t vals[16], *gv, v;
	void *bad = (void *)8;
	int fd = map_create(type, 64);
	struct bb_batch_attr *ra;
	long r;

	for (uint32_t i = 0; i < 16; i++) {
		keys[i] = key_of(type, i + 20);
		vals[i] = i;
	}
	count = 5;
	r = batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, bad, vals, &count, 0, 0);
	printf("%s update bad keys: r=%ld count=%u\n", t, r, count);

	gv = guarded(3 * sizeof(uint64_t));
	gv[0] = 11, gv[1] = 12, gv[2] = 13;
	count = 6;
	r = batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, gv, &count, 0, 0);
	printf("%s update values fault at 3: r=%ld count=%u\n", t, r, count);
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t la[4] = { (uint32_t)fd, p2u(&keys[i]), p2u(&v), 0 };

		v = 0;
		r = sys_bpf(BB_MAP_LOOKUP_ELEM, la, sizeof(la));
		printf("%s   element %u: r=%ld value=%llu\n", t, i, r, (unsigned long long)v);
	}

	gk = guarded(2 * sizeof(uint32_t));
	gk[0] = keys[0], gk[1] = keys[1];
	count = 4;
	r = batch(BB_MAP_DELETE_BATCH, fd, NULL, NULL, gk, NULL, &count, 0, 0);
	printf("%s delete keys fault at 2: r=%ld count=%u\n", t, r, count);

	fill(type, fd, 10, &count);
	count = 3;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, bad, vals, &count, 0, 0);
	printf("%s lookup bad keys: r=%ld count=%u\n", t, r, count);
	count = 3;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, keys, guarded(0), &count, 0, 0);
	printf("%s lookup bad values: r=%ld count=%u\n", t, r, count);
	count = 3;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, bad, &tok, keys, vals, &count, 0, 0);
	printf("%s lookup bad in_batch: r=%ld count=%u\n", t, r, count);
	count = 3;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, NULL, bad, keys, vals, &count, 0, 0);
	printf("%s lookup bad out_batch: r=%ld count=%u\n", t, r, count);
	count = 0;
	r = batch(BB_MAP_LOOKUP_BATCH, fd, bad, bad, bad, bad, &count, 0, 0);
	printf("%s lookup count 0, all bad: r=%ld count=%u\n", t, r, count);
	/* What a failed lookup left in keys/values is unspecified (the
	 * kernel leaves partial copies, the supervisor need not): reset. */
	for (uint32_t i = 0; i < 16; i++) {
		keys[i] = key_of(type, i + 20);
		vals[i] = i;
	}
	count = 2;
	r = batch(BB_MAP_UPDATE_BATCH, fd, bad, bad, keys, vals, &count, 0, 0);
	printf("%s update ignores tokens: r=%ld count=%u\n", t, r, count);

	r = sys_bpf(BB_MAP_LOOKUP_BATCH, bad, sizeof(struct bb_batch_attr));
	printf("%s attr bad: r=%ld\n", t, r);
	ra = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*ra = (struct bb_batch_attr){ .keys = p2u(keys), .values = p2u(vals), .count = 2,
				   .map_fd = (uint32_t)fd };
	mprotect(ra, 4096, PROT_READ);
	r = sys_bpf(BB_MAP_UPDATE_BATCH, ra, sizeof(*ra));
	printf("%s attr read-only: r=%ld count=%u\n", t, r, ra->count);
	/* Lookups too: the kernel zeroes count before it writes anything
	 * else, so nothing is returned, written or deleted. */
	for (int cmd = BB_MAP_LOOKUP_BATCH; cmd <= BB_MAP_LOOKUP_AND_DELETE_BATCH; cmd++) {
		mprotect(ra, 4096, PROT_READ | PROT_WRITE);
		tok = 77;
		*ra = (struct bb_batch_attr){ .out_batch = p2u(&tok), .keys = p2u(keys),
					   .values = p2u(vals), .count = 2,
					   .map_fd = (uint32_t)fd };
		mprotect(ra, 4096, PROT_READ);
		r = sys_bpf(cmd, ra, sizeof(*ra));
		printf("%s %s attr read-only: r=%ld count=%u token=%u\n", t,
		       cmd == BB_MAP_LOOKUP_BATCH ? "lookup" : "lookup_and_delete", r, ra->count,
		       tok);
	}
	{
		unsigned char big[4200];
		struct bb_batch_attr a = { .keys = p2u(keys), .values = p2u(vals), .count = 1,
					.map_fd = (uint32_t)fd };

		memset(big, 0, sizeof(big));
		memcpy(big, &a, sizeof(a));
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 4097);
		printf("%s attr size 4097: r=%ld\n", t, r);
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 4096);
		printf("%s attr size 4096 zero tail: r=%ld\n", t, r);
		big[60] = 1;
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 64);
		printf("%s attr byte 60 set: r=%ld\n", t, r);
		big[60] = 0;
		big[3000] = 1;
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 4096);
		printf("%s attr byte 3000 set: r=%ld\n", t, r);
		r = sys_bpf(BB_MAP_UPDATE_BATCH, big, 20);
		printf("%s attr size 20: r=%ld\n", t, r);
	}
	walk(type, fd, BB_MAP_LOOKUP_BATCH, 8, "alive");
	close(fd);
}

/*
 * Hash-family tokens are 4 bytes, also for types no kernel batches whose keys
 * are longer (the emulation's token names a cursor): a token kept in the last
 * 4 bytes before an unmapped page is read and written whole, no more.
 */
static void token(void)
{
	uint32_t a[16] = { BB_MAP_TYPE_CGROUP_STORAGE, 8, 8, 0 };
	uint32_t *tok = guarded(sizeof(uint32_t)), count = 4;
	uint64_t keys[4], vals[4];
	long fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a)), r;

	if (fd < 0) {
		printf("map_create failed: %ld\n", fd);
		exit(1);
	}
	*tok = 0;
	r = batch(BB_MAP_LOOKUP_BATCH, (int)fd, NULL, tok, keys, vals, &count, 0, 0);
	printf("cgroup_storage lookup: r=%ld count=%u\n", r, count);
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, (int)fd, tok, tok, keys, vals, &count, 0, 0);
	printf("cgroup_storage lookup from its token: r=%ld count=%u\n", r, count);
	close((int)fd);
}

/* DEVMAP values of 8 bytes carry a program fd after the ifindex (fd <= 0:
 * none): the target's program, not whatever the supervisor has under
 * that number. Lookups (not trapped) show which program each slot got. */
static void devmap_prog(void)
{
	uint32_t a[16] = { BB_MAP_TYPE_DEVMAP, 4, 8, 4 }, keys[2] = { 0, 1 }, vals[4], info[2];
	struct bb_info_attr ia = { .info_len = sizeof(info), .info = p2u(info) };
	long prog = load_prog(BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP), fd, r;
	uint32_t count = 2;

	fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a));
	ia.bpf_fd = (uint32_t)prog;
	if (prog < 0 || fd < 0 || sys_bpf(BB_OBJ_GET_INFO_BY_FD, &ia, sizeof(ia)) < 0) {
		printf("setup failed: prog %ld map %ld\n", prog, fd);
		exit(1);
	}
	vals[0] = 1, vals[1] = (uint32_t)prog; /* lo, with our program */
	vals[2] = 1, vals[3] = 0;              /* lo, no program */
	r = batch(BB_MAP_UPDATE_BATCH, (int)fd, NULL, NULL, keys, vals, &count, 0, 0);
	printf("devmap update: r=%ld count=%u\n", r, count);
	for (uint32_t i = 0; i < 2; i++) {
		uint64_t la[4] = { (uint32_t)fd, p2u(&keys[i]), p2u(vals), 0 };

		memset(vals, 0, sizeof(vals));
		r = sys_bpf(BB_MAP_LOOKUP_ELEM, la, sizeof(la));
		printf("devmap slot %u: r=%ld ifindex=%u prog=%s\n", i, r, vals[0],
		       vals[1] == info[1] ? "ours" : vals[1] ? "another" : "none");
	}
	close((int)fd);
	close((int)prog);
}

static void *thread_main(void *arg)
{
	uint32_t keys[32], tok, count, got;
	uint64_t vals[32];
	long bad = 0, r;
	int fd = map_create(BB_MAP_TYPE_HASH, 64);

	(void)arg;
	for (int it = 0; it < 200; it++) {
		for (uint32_t i = 0; i < 32; i++) {
			keys[i] = i * 7 + (uint32_t)it;
			vals[i] = keys[i] ^ 0x5a5a;
		}
		count = 32;
		r = batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &count, 0, 0);
		if (r || count != 32)
			bad++;
		got = 0;
		for (int calls = 0; calls < 100; calls++) {
			count = 10;
			r = batch(BB_MAP_LOOKUP_AND_DELETE_BATCH, fd, calls ? &tok : NULL, &tok, keys, vals,
				  &count, 0, 0);
			for (uint32_t i = 0; i < count; i++)
				if (vals[i] != (keys[i] ^ 0x5a5a))
					bad++;
			got += count;
			if (r)
				break;
		}
		if (r != -ENOENT || got != 32)
			bad++;
	}
	close(fd);
	return (void *)bad;
}

static void threads(void)
{
	pthread_t th[4];
	long bad = 0;
	void *res;

	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, thread_main, NULL);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &res);
		bad += (long)res;
	}
	printf("threads: bad=%ld\n", bad);
}

static void forked(void)
{
	int fd = map_create(BB_MAP_TYPE_HASH, 64), st;
	uint32_t count;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		long r = fill(BB_MAP_TYPE_HASH, fd, 20, &count);

		printf("child update: r=%ld count=%u\n", r, count);
		basic(BB_MAP_TYPE_HASH);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("child status=%d\n", st);
	walk(BB_MAP_TYPE_HASH, fd, BB_MAP_LOOKUP_BATCH, 8, "parent-sees");
}

static void forkexec(void)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "static-client", "basic", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("exec child status=%d\n", st);
}

static void *spin(void *arg)
{
	int fd = *(int *)arg;
	uint32_t keys[64], tok, count;
	uint64_t vals[64];

	for (;;) {
		count = 64;
		batch(BB_MAP_LOOKUP_BATCH, fd, NULL, &tok, keys, vals, &count, 0, 0);
	}
	return NULL;
}

/* Threads inside batch calls when the process exits: the supervisor must
 * drop their calls and carry on. */
static void die(void)
{
	static int fd;
	pthread_t th;
	uint32_t count;

	fd = map_create(BB_MAP_TYPE_HASH, 256);
	fill(BB_MAP_TYPE_HASH, fd, 200, &count);
	for (int i = 0; i < 3; i++)
		pthread_create(&th, NULL, spin, &fd);
	usleep(200 * 1000);
	printf("die: exiting\n");
	fflush(stdout);
	_exit(0);
}

static void basic_both(int argc, char **argv)
{
	basic(BB_MAP_TYPE_HASH);
	basic(BB_MAP_TYPE_ARRAY);
}

static void efault_both(int argc, char **argv)
{
	efault(BB_MAP_TYPE_HASH);
	efault(BB_MAP_TYPE_ARRAY);
}

/* Modes without arguments, as modes with. */
#define NOARGS(f)                                     \
	static void f##_mode(int argc, char **argv) \
	{                                             \
		f();                                  \
	}
NOARGS(threads)
NOARGS(forked)
NOARGS(forkexec)
NOARGS(die)
NOARGS(token)
NOARGS(devmap_prog)
NOARGS(retry_modes)
NOARGS(drain_modes)
NOARGS(writeback_modes)

static const struct {
	const char *name;
	void (*run)(int argc, char **argv); /* argv[0]: the mode */
} modes[] = {
	{ "basic", basic_both },	      { "efault", efault_both },
	{ "threads", threads_mode },	      { "fork", forked_mode },
	{ "forkexec", forkexec_mode },	      { "die", die_mode },
	{ "token", token_mode },	      { "devmap", devmap_prog_mode },
	{ "retry", retry_modes_mode },	      { "drain", drain_modes_mode },
	{ "writeback", writeback_modes_mode }, { "foreign", foreign_fds },
	{ "foreign-child", foreign_fds },
};

int main(int argc, char **argv)
{
	char *basic_mode[] = { "basic", NULL };
	char **args = argc > 1 ? argv + 1 : basic_mode;
	int nargs = argc > 1 ? argc - 1 : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(args[0], modes[i].name))
			continue;
		modes[i].run(nargs, args);
		return 0;
	}
	fprintf(stderr, "usage: static-client MODE [ARGS...]; modes:");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, " %s", modes[i].name);
	fprintf(stderr, "\n");
	return 2;
}
