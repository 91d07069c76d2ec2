/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The shim's one global state. Fields fixed after the first use are set once
 * under pthread_once; what is learnt about the kernel later is kept in
 * tri-state atomics (unknown / yes / no), written at most once each.
 */
#ifndef BB_STATE_H
#define BB_STATE_H

#include <stdbool.h>
#include <stdint.h>

enum bb_mode {
	BB_MODE_AUTO = 0,    /* native where the kernel has it, else emulate */
	BB_MODE_NATIVE = 1,  /* always the kernel (for users who distrust the emulation) */
	BB_MODE_EMULATE = 2, /* always emulate the types the core knows */
};

enum bb_tri { BB_TRI_UNKNOWN = 0, BB_TRI_YES = 1, BB_TRI_NO = 2 };

/* Kernel features the emulation asks about. */
enum bb_feature {
	BB_FEAT_BATCH_CMDS,        /* BPF_MAP_*_BATCH known (5.6+) */
	BB_FEAT_GET_NEXT_KEY_NULL, /* GET_NEXT_KEY takes a NULL key (4.12+) */
	BB_FEAT_OBJ_INFO,          /* OBJ_GET_INFO_BY_FD known (4.13+) */
	BB_FEAT_COUNT,
};

enum bb_mode bb_state_mode(void);
bool bb_state_log(void);   /* BPFBATCH_LOG set to something other than 0 */
bool bb_state_stats(void); /* BPFBATCH_STATS likewise */
/* BPFBATCH_BULK: on unless set to 0 (many elements per syscall through
 * generated programs where the kernel lacks batch commands; core/bulk.h);
 * set to 1, a map gets its program at its first call rather than once its
 * calls have carried a few hundred elements. */
bool bb_state_bulk(void);
bool bb_state_bulk_eager(void);
unsigned int bb_state_possible_cpus(void);

enum bb_tri bb_feature_get(enum bb_feature f);
void bb_feature_set(enum bb_feature f, bool yes);

/* Memory of "this map type has no native op for this batch cmd" answers. */
void bb_type_mark_unsupported(uint32_t map_type, int cmd);
bool bb_type_unsupported(uint32_t map_type, int cmd);
bool bb_any_type_unsupported(void);

/* Does MAP_LOOKUP_AND_DELETE_ELEM work for this map type (hash maps: 5.14+)? */
enum bb_tri bb_type_lookup_and_delete_elem(uint32_t map_type);
void bb_type_set_lookup_and_delete_elem(uint32_t map_type, bool yes);

#endif
