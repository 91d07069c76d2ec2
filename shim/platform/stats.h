/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Counters for BPFBATCH_STATS=1: what the shim did, printed as one line at
 * exit. Relaxed atomics: they are totals, not synchronisation.
 */
#ifndef BB_STATS_H
#define BB_STATS_H

#include <stdint.h>

enum bb_stat {
	BB_STAT_NATIVE_CALLS,   /* batch commands the kernel served */
	BB_STAT_EMULATED_CALLS, /* batch commands the core served */
	BB_STAT_ELEMENTS,       /* elements the core returned or applied */
	BB_STAT_BPF_SYSCALLS,   /* bpf() calls the core issued */
	BB_STAT_ITERS_RECLAIMED, /* emulated iterations given up to stay within the bound */
	BB_STAT_TRIE_TOKENS_RECLAIMED, /* LPM token records given up (trie_tokens.h) */
	/* BPFBATCH_ACCEL */
	BB_STAT_ACCEL_SERVED,     /* element commands answered without a syscall */
	BB_STAT_ACCEL_SUCCESSORS, /* of those, GET_NEXT_KEY of a just-deleted key */
	BB_STAT_ACCEL_WINDOWS,    /* prefetch windows filled */
	BB_STAT_ACCEL_INVALIDATED, /* window entries or windows dropped by own writes */
	BB_STAT_ACCEL_EXTRA,      /* syscalls acceleration added (fills, successors, checks) */
	/* the bulk path (BPFBATCH_BULK) */
	BB_STAT_BULK_RUNS,     /* PROG_TEST_RUN calls */
	BB_STAT_BULK_ELEMENTS, /* elements those runs processed */
	BB_STAT_BULK_LOADS,    /* programs loaded, the self-test's included */
	BB_STAT_BULK_CLOSED,   /* programs closed after idling */
	BB_STAT_COUNT,
};

void bb_stat_add(enum bb_stat s, uint64_t n);
uint64_t bb_stat_get(enum bb_stat s);
/* "bpfbatch: native 3 calls, emulated 5 calls, 1200 elements, 2412 bpf syscalls" */
int bb_stats_format(char *buf, unsigned long len);
/* "bpfbatch accel: 99000 served (1000 successors), 120 windows, 5 invalidated,
 * 135 extra syscalls, 98865 syscalls saved" */
int bb_stats_format_accel(char *buf, unsigned long len);
/* "bpfbatch bulk: 52 runs, 10000 elements, 5 program loads, 4 closed idle" */
int bb_stats_format_bulk(char *buf, unsigned long len);

#endif
