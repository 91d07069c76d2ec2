/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A batch client for the front-end comparisons of issue 14, built twice
 * from this file: static (only `bpfbatch run` reaches it) and dynamic (so
 * the preloaded shim serves it under `bpfbatch sim`). Both runs on the
 * same simulated kernel must print the same text.
 *
 *   types   every batch command on hash, percpu_hash, lru_hash, array and
 *           lpm_trie, with the argument errors a client meets
 *   walk    lookup and lookup-and-delete walks of 100k elements while a
 *           storm of queued signals hits every thread, beside walking
 *           threads, a forked child and an exec'd one; each signal must
 *           arrive with its own siginfo
 *   tracer  whether the process has a tracer and whether a seccomp
 *           listener exists in it or its tracer
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client_bpf.h"
#include "walk_storm.h"

struct type {
	const char *name;
	uint32_t type, key_size, flags;
	bool percpu, hash; /* per-call counts depend on buckets: digests only */
};

static const struct type types[] = {
	{ "hash", BB_MAP_TYPE_HASH, 4, 0, false, true },
	{ "percpu_hash", BB_MAP_TYPE_PERCPU_HASH, 4, 0, true, true },
	{ "lru_hash", BB_MAP_TYPE_LRU_HASH, 4, 0, false, true },
	{ "array", BB_MAP_TYPE_ARRAY, 4, 0, false, false },
	{ "lpm_trie", BB_MAP_TYPE_LPM_TRIE, 8, 1 /* BPF_F_NO_PREALLOC */, false, false },
};

#define MAXN 64
static unsigned int ncpus = 1;

static void read_ncpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	unsigned int a, b;

	if (f && fscanf(f, "%u-%u", &a, &b) == 2)
		ncpus = b + 1;
	if (f)
		fclose(f);
}

/* Key i of @t (an LPM key is a /32 prefix), its value. */
static void key_of(const struct type *t, uint32_t i, unsigned char *k)
{
	uint32_t v[2] = { 32, i * 7 + 3 };

	if (t->type == BB_MAP_TYPE_ARRAY)
		v[0] = i;
	else if (t->key_size == 4)
		v[0] = i * 7 + 3;
	memcpy(k, v, t->key_size);
}

static uint64_t val_of(const unsigned char *k)
{
	uint32_t x;

	memcpy(&x, k, 4);
	return (uint64_t)x * 1000 + 1;
}

static int stride(const struct type *t)
{
	return t->percpu ? 8 * (int)ncpus : 8;
}

static long fill(const struct type *t, int fd, uint32_t from, uint32_t n, uint32_t *count)
{
	unsigned char keys[MAXN * 8];
	uint64_t vals[MAXN * 256];

	for (uint32_t i = 0; i < n; i++) {
		key_of(t, from + i, keys + i * t->key_size);
		for (int c = 0; c < stride(t) / 8; c++)
			vals[i * (uint32_t)stride(t) / 8 + (uint32_t)c] = val_of(keys + i * t->key_size);
	}
	*count = n;
	return batch(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, count, 0, 0);
}

/* Walk with @cmd, @bs per call; one line with a digest of what came back. */
static void walk(const struct type *t, int fd, int cmd, uint32_t bs, const char *tag)
{
	static unsigned char keys[4 * MAXN * 8];
	static uint64_t vals[4 * MAXN * 256];
	unsigned char tok[8] = { 0 };
	uint32_t n = 0, count, calls = 0, bad = 0;
	uint64_t sum = 0;
	long r;

	for (;;) {
		count = bs;
		r = batch(cmd, fd, calls ? tok : NULL, tok, keys + n * t->key_size,
			  vals + n * (uint32_t)stride(t) / 8, &count, 0, 0);
		calls++;
		if (!t->hash)
			printf("%s %s call %u: r=%ld count=%u\n", t->name, tag, calls, r, count);
		if (r && r != -ENOENT)
			break;
		n += count;
		if (r == -ENOENT || n + bs > 4 * MAXN || calls > 100)
			break;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t w = val_of(keys + i * t->key_size), got = vals[i * (uint32_t)stride(t) / 8];

		sum += w * 2654435761u; /* order-free: a sum */
		if (got != w && !(t->type == BB_MAP_TYPE_ARRAY && got == 0))
			bad++;
	}
	printf("%s %s batch %u: end r=%ld total=%u badvals=%u digest=%llu\n", t->name, tag, bs, r,
	       n, bad, (unsigned long long)sum);
}

static void one_type(const struct type *t)
{
	uint32_t a[16] = { t->type, t->key_size, 8, MAXN, t->flags };
	unsigned char keys[4 * 8], tok[8] = { 0 };
	uint64_t vals[4 * 256];
	uint32_t count;
	long fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a)), r;

	if (fd < 0) {
		printf("%s create: r=%ld\n", t->name, fd);
		return;
	}
	r = fill(t, (int)fd, 0, 40, &count);
	printf("%s update: r=%ld count=%u\n", t->name, r, count);
	walk(t, (int)fd, BB_MAP_LOOKUP_BATCH, 7, "lookup");
	walk(t, (int)fd, BB_MAP_LOOKUP_BATCH, 64, "lookup");
	count = 4;
	r = batch(BB_MAP_LOOKUP_BATCH, (int)fd, NULL, tok, keys, vals, &count, 0, 1);
	printf("%s lookup flags 1: r=%ld count=%u\n", t->name, r, count);
	count = 0;
	r = batch(BB_MAP_LOOKUP_BATCH, (int)fd, NULL, tok, keys, vals, &count, 0, 0);
	printf("%s lookup count 0: r=%ld count=%u\n", t->name, r, count);
	count = 2;
	r = batch(BB_MAP_UPDATE_BATCH, (int)fd, NULL, NULL, keys, vals, &count, 1, 0);
	printf("%s update elem_flags 1: r=%ld count=%u\n", t->name, r, count);
	count = 2;
	r = batch(BB_MAP_LOOKUP_BATCH, 1, NULL, tok, keys, vals, &count, 0, 0);
	printf("%s lookup non-map fd: r=%ld count=%u\n", t->name, r, count);
	key_of(t, 1, keys);
	key_of(t, 2, keys + t->key_size);
	key_of(t, 1000, keys + 2 * t->key_size);
	key_of(t, 3, keys + 3 * t->key_size);
	count = 4;
	r = batch(BB_MAP_DELETE_BATCH, (int)fd, NULL, NULL, keys, NULL, &count, 0, 0);
	printf("%s delete with missing: r=%ld count=%u\n", t->name, r, count);
	walk(t, (int)fd, BB_MAP_LOOKUP_AND_DELETE_BATCH, 5, "lookup-and-delete");
	walk(t, (int)fd, BB_MAP_LOOKUP_BATCH, 8, "after");
	close((int)fd);
}

static void tracer(void)
{
	char line[256], path[64], link[128];
	FILE *f = fopen("/proc/self/status", "re");
	int tpid = 0, listeners = 0;
	struct dirent *e;
	DIR *d;

	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "TracerPid: %d", &tpid);
	if (f)
		fclose(f);
	for (int who = 0; who < 2; who++) {
		snprintf(path, sizeof(path), "/proc/%d/fd", who ? tpid : (int)getpid());
		if ((who && !tpid) || !(d = opendir(path)))
			continue;
		while ((e = readdir(d))) {
			char p[400];
			ssize_t n;

			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			n = readlink(p, link, sizeof(link) - 1);
			if (n > 0 && (link[n] = '\0', strstr(link, "seccomp notify")))
				listeners++;
		}
		closedir(d);
	}
	printf("tracer=%s listeners=%d\n", tpid ? "yes" : "no", listeners);
}

static void walk_mode(void)
{
	pid_t kids[2];
	int st, bad = 0;

	storm_start();
	fflush(stdout);
	kids[0] = fork();
	if (kids[0] == 0) {
		walk_big("fork", 10000, false);
		_exit(0);
	}
	kids[1] = fork();
	if (kids[1] == 0) {
		execl("/proc/self/exe", "types-client", "walk-child", (char *)NULL);
		_exit(127);
	}
	walk_big("main", 100000, true);
	for (int i = 0; i < 2; i++)
		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	storm_stop(true);
	printf("walk: children bad=%d\n", bad);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "types";

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_ncpus();
	if (!strcmp(mode, "types")) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			one_type(&types[i]);
	} else if (!strcmp(mode, "walk")) {
		walk_mode();
	} else if (!strcmp(mode, "walk-child")) {
		storm_start();
		walk_big("exec", 10000, false);
		return storm_stop(false) ? 1 : 0;
	} else if (!strcmp(mode, "tracer")) {
		tracer();
	} else {
		fprintf(stderr, "usage: types-client types|walk|tracer\n");
		return 2;
	}
	return 0;
}
