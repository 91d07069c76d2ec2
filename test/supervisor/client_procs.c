/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The "threads", "fork", "forkexec" and "die" modes: batch calls from several
 * threads at once, from a forked child and an exec'ed one, and threads still
 * inside calls when the process exits.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/uapi.h"

#include "client_modes.h"
#include "client_util.h"

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

void threads(void)
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

void forked(void)
{
	int fd = map_create(BB_MAP_TYPE_HASH, 64), st;
	uint32_t count;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		long r = basic_fill(BB_MAP_TYPE_HASH, fd, 20, &count);

		printf("child update: r=%ld count=%u\n", r, count);
		basic(BB_MAP_TYPE_HASH);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("child status=%d\n", st);
	basic_walk(BB_MAP_TYPE_HASH, fd, BB_MAP_LOOKUP_BATCH, 8, "parent-sees");
}

void forkexec(void)
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
void die(void)
{
	static int fd;
	pthread_t th;
	uint32_t count;

	fd = map_create(BB_MAP_TYPE_HASH, 256);
	basic_fill(BB_MAP_TYPE_HASH, fd, 200, &count);
	for (int i = 0; i < 3; i++)
		pthread_create(&th, NULL, spin, &fd);
	usleep(200 * 1000);
	printf("die: exiting\n");
	fflush(stdout);
	_exit(0);
}

