/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "walk_storm.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "client_bpf.h"

#define MAGIC 0x5eed
#define CHUNK 1000
#define MAX_TARGETS 8

static atomic_long received, bad_info;
static atomic_int stop;
static pthread_t targets[MAX_TARGETS];
static atomic_int ntargets;
static pthread_t stormer;
static bool storming;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	atomic_fetch_add(&received, 1);
	if (si->si_code != SI_QUEUE || si->si_value.sival_int != MAGIC || si->si_pid != getpid())
		atomic_fetch_add(&bad_info, 1);
}

static void target_add(void)
{
	int i = atomic_fetch_add(&ntargets, 1);

	if (i < MAX_TARGETS)
		targets[i] = pthread_self();
}

static void *storm(void *arg)
{
	union sigval v = { .sival_int = MAGIC };

	(void)arg;
	while (!atomic_load(&stop)) {
		int n = atomic_load(&ntargets);

		for (int i = 0; i < n && i < MAX_TARGETS; i++)
			pthread_sigqueue(targets[i], SIGUSR1, v);
		usleep(20);
	}
	return NULL;
}

void storm_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	target_add();
	storming = pthread_create(&stormer, NULL, storm, NULL) == 0;
}

long storm_stop(bool report)
{
	atomic_store(&stop, 1);
	if (storming)
		pthread_join(stormer, NULL);
	if (report)
		printf("signals: received=%s bad-siginfo=%ld\n",
		       atomic_load(&received) ? "yes" : "no", atomic_load(&bad_info));
	return atomic_load(&bad_info);
}

/* One walk; 0 when every key came back once with its value. */
static int walk_once(const char *who, int fd, unsigned int n, int cmd, const char *tag, bool report)
{
	uint32_t keys[CHUNK], tok = 0, count, total = 0, dups = 0, bad = 0, missing = 0;
	uint64_t vals[CHUNK];
	unsigned char *seen = calloc(n, 1);
	long r;

	for (int calls = 0; seen; calls++) {
		count = CHUNK;
		r = batch(cmd, fd, calls ? &tok : NULL, &tok, keys, vals, &count, 0, 0);
		if (r && r != -ENOENT)
			break;
		for (uint32_t i = 0; i < count; i++) {
			if (keys[i] >= n || vals[i] != (uint64_t)keys[i] * 3 + 1) {
				bad++;
				continue;
			}
			dups += seen[keys[i]];
			seen[keys[i]] = 1;
		}
		total += count;
		if (r == -ENOENT || calls > (int)(2 * n / CHUNK + 10))
			break;
	}
	for (unsigned int i = 0; seen && i < n; i++)
		missing += !seen[i];
	free(seen);
	if (report)
		printf("%s %s: n=%u total=%u dups=%u missing=%u badvals=%u end=%ld\n", who, tag, n,
		       total, dups, missing, bad, r);
	return (dups || missing || bad || r != -ENOENT) ? -1 : 0;
}

static int walk_map(const char *who, unsigned int n, bool report)
{
	uint32_t a[16] = { BB_MAP_TYPE_HASH, 4, 8, n }, keys[CHUNK], count;
	uint64_t vals[CHUNK];
	long fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a));
	int fails = 0;

	if (fd < 0)
		return -1;
	for (uint32_t from = 0; from < n; from += CHUNK) {
		for (uint32_t i = 0; i < CHUNK; i++) {
			keys[i] = from + i;
			vals[i] = (uint64_t)keys[i] * 3 + 1;
		}
		count = n - from < CHUNK ? n - from : CHUNK;
		if (batch(BB_MAP_UPDATE_BATCH, (int)fd, NULL, NULL, keys, vals, &count, 0, 0))
			fails++;
	}
	fails += walk_once(who, (int)fd, n, BB_MAP_LOOKUP_BATCH, "lookup", report) < 0;
	fails += walk_once(who, (int)fd, n, BB_MAP_LOOKUP_AND_DELETE_BATCH, "lookup-and-delete",
			   report) < 0;
	count = CHUNK;
	if (batch(BB_MAP_LOOKUP_BATCH, (int)fd, NULL, keys, keys, vals, &count, 0, 0) != -ENOENT || count)
		fails++;
	close((int)fd);
	return fails ? -1 : 0;
}

static void *worker(void *arg)
{
	target_add();
	return (void *)(intptr_t)walk_map("thread", (unsigned int)(uintptr_t)arg, false);
}

void walk_big(const char *who, unsigned int n, bool report)
{
	pthread_t th[2];
	int fails = 0;
	void *res;

	for (int i = 0; report && i < 2; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)10000);
	fails += walk_map(who, n, report) < 0;
	for (int i = 0; report && i < 2; i++) {
		pthread_join(th[i], &res);
		fails += res != NULL;
	}
	if (report)
		printf("%s: threads and walks failed=%d\n", who, fails);
	else if (fails)
		exit(1);
}
