/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/stats.h"

#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "platform/raw_syscall.h"
#include "platform/state.h"

static _Atomic uint64_t counters[BB_STAT_COUNT];

/* Counted only when they will be printed: the counters are shared by every
 * thread, and a locked add on each served answer is not free. */
static bool counting(void)
{
	static _Atomic int on = -1;
	int v = atomic_load_explicit(&on, memory_order_relaxed);

	if (v < 0) {
		v = bb_state_stats();
		atomic_store_explicit(&on, v, memory_order_relaxed);
	}
	return v;
}

void bb_stat_add(enum bb_stat s, uint64_t n)
{
	if (counting())
		atomic_fetch_add_explicit(&counters[s], n, memory_order_relaxed);
}

uint64_t bb_stat_get(enum bb_stat s)
{
	return atomic_load_explicit(&counters[s], memory_order_relaxed);
}

int bb_stats_format(char *buf, unsigned long len)
{
	return snprintf(buf, len,
			"bpfbatch: native %llu calls, emulated %llu calls, %llu elements, "
			"%llu bpf syscalls, %llu iterations reclaimed, %llu LPM tokens reclaimed\n",
			(unsigned long long)bb_stat_get(BB_STAT_NATIVE_CALLS),
			(unsigned long long)bb_stat_get(BB_STAT_EMULATED_CALLS),
			(unsigned long long)bb_stat_get(BB_STAT_ELEMENTS),
			(unsigned long long)bb_stat_get(BB_STAT_BPF_SYSCALLS),
			(unsigned long long)bb_stat_get(BB_STAT_ITERS_RECLAIMED),
			(unsigned long long)bb_stat_get(BB_STAT_TRIE_TOKENS_RECLAIMED));
}

int bb_stats_format_accel(char *buf, unsigned long len)
{
	uint64_t served = bb_stat_get(BB_STAT_ACCEL_SERVED);
	uint64_t extra = bb_stat_get(BB_STAT_ACCEL_EXTRA);

	return snprintf(buf, len,
			"bpfbatch accel: %llu served (%llu successors), %llu windows, "
			"%llu invalidated, %llu extra syscalls, %lld syscalls saved\n",
			(unsigned long long)served,
			(unsigned long long)bb_stat_get(BB_STAT_ACCEL_SUCCESSORS),
			(unsigned long long)bb_stat_get(BB_STAT_ACCEL_WINDOWS),
			(unsigned long long)bb_stat_get(BB_STAT_ACCEL_INVALIDATED),
			(unsigned long long)extra, (long long)served - (long long)extra);
}

int bb_stats_format_bulk(char *buf, unsigned long len)
{
	return snprintf(buf, len,
			"bpfbatch bulk: %llu runs, %llu elements, %llu program loads, "
			"%llu closed idle\n",
			(unsigned long long)bb_stat_get(BB_STAT_BULK_RUNS),
			(unsigned long long)bb_stat_get(BB_STAT_BULK_ELEMENTS),
			(unsigned long long)bb_stat_get(BB_STAT_BULK_LOADS),
			(unsigned long long)bb_stat_get(BB_STAT_BULK_CLOSED));
}

static void write_line(int (*format)(char *, unsigned long))
{
	char line[256];
	int n = format(line, sizeof(line));

	if (n > 0 && n < (int)sizeof(line))
		bb_raw_syscall(SYS_write, 2, (long)line, n, 0, 0, 0);
}

/* One line at exit, if asked for; raw write so a closed stdio cannot lose it. */
__attribute__((destructor)) static void stats_at_exit(void)
{
	if (!bb_state_stats())
		return;
	/* A process that made no batch call has nothing to say. */
	if (bb_stat_get(BB_STAT_NATIVE_CALLS) || bb_stat_get(BB_STAT_EMULATED_CALLS))
		write_line(bb_stats_format);
	/* Only acceleration counts these: zero (no line) wherever it is off
	 * or not linked in, without asking its configuration. */
	if (bb_stat_get(BB_STAT_ACCEL_SERVED) || bb_stat_get(BB_STAT_ACCEL_EXTRA))
		write_line(bb_stats_format_accel);
	if (bb_stat_get(BB_STAT_BULK_LOADS))
		write_line(bb_stats_format_bulk);
}
