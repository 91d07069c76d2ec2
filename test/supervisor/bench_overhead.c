/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Per-call cost of LOOKUP_BATCH over a 100k-entry hash at batch sizes 1, 100
 * and 10000, through glibc's syscall(): run it natively, with LD_PRELOAD of
 * the shim (in-process emulation) or under `bpfbatch run` (supervisor) and
 * compare. Each size walks the whole map (bounded by a time budget for the
 * slow paths); the median call is reported next to the mean because shared
 * CI machines preempt long runs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "platform/uapi.h" /* the batch attr layout, shared with the shim */

#define N 100000u

static long sys_bpf(int cmd, void *attr, unsigned int size)
{
	long r = syscall(__NR_bpf, cmd, attr, size);

	return r < 0 ? -errno : r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void)
{
	static uint32_t keys[N];
	static uint64_t vals[N];
	static double lat[2 * N];
	static const uint32_t sizes[] = { 1, 100, 10000 };
	uint32_t create[16] = { BB_MAP_TYPE_HASH, 4, 8, N };
	struct bb_batch_attr a = { 0 };
	long fd = sys_bpf(BB_MAP_CREATE, create, sizeof(create)), r;

	if (fd < 0) {
		fprintf(stderr, "map create: %ld\n", fd);
		return 1;
	}
	for (uint32_t i = 0; i < N; i++) {
		keys[i] = i * 2654435761u;
		vals[i] = i;
	}
	a.keys = (uint64_t)(uintptr_t)keys;
	a.values = (uint64_t)(uintptr_t)vals;
	a.count = N;
	a.map_fd = (uint32_t)fd;
	r = sys_bpf(BB_MAP_UPDATE_BATCH, &a, sizeof(a));
	if (r || a.count != N) {
		fprintf(stderr, "fill: %ld count %u\n", r, a.count);
		return 1;
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t tok = 0, calls = 0, elems = 0;
		double t0 = now(), dt;

		do {
			double c0 = now();

			a = (struct bb_batch_attr){
				.in_batch = calls ? (uint64_t)(uintptr_t)&tok : 0,
				.out_batch = (uint64_t)(uintptr_t)&tok,
				.keys = (uint64_t)(uintptr_t)keys,
				.values = (uint64_t)(uintptr_t)vals,
				.count = sizes[s],
				.map_fd = (uint32_t)fd,
			};
			r = sys_bpf(BB_MAP_LOOKUP_BATCH, &a, sizeof(a));
			lat[calls] = now() - c0;
			calls++;
			elems += a.count;
		} while (r == 0 && calls < 2 * N && now() - t0 < 20.0);
		dt = now() - t0;
		qsort(lat, calls, sizeof(lat[0]), cmp_double);
		printf("batch %5u: calls %6u elems %6u end %3ld  mean %9.2f us/call  "
		       "median %9.2f us/call  %8.1f ns/elem\n",
		       sizes[s], calls, elems, r, dt * 1e6 / calls, lat[calls / 2] * 1e6,
		       dt * 1e9 / (elems ? elems : 1));
	}
	return 0;
}
