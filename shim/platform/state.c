/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/state.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "platform/env.h"
#include "platform/textfile.h"
#include "platform/uapi.h"

static struct {
	pthread_once_t once;
	enum bb_mode mode;
	bool log;
	bool stats;
	bool bulk;
	bool bulk_eager;
	unsigned int possible_cpus;
	_Atomic int features[BB_FEAT_COUNT];
	/* bit (cmd - BB_MAP_LOOKUP_BATCH) per map type */
	_Atomic uint32_t unsupported[BB_MAP_TYPE_MAX];
	_Atomic bool any_unsupported;
	_Atomic int lookup_and_delete_elem[BB_MAP_TYPE_MAX];
} g = { .once = PTHREAD_ONCE_INIT };

/* "0-1", "0-3,8-11", "0": the number of possible CPUs, which is the number of
 * per-CPU slots the kernel copies for per-CPU maps. */
static unsigned int parse_possible(const char *s)
{
	unsigned int n = 0;
	const char *p = s;

	for (;;) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi;

		if (end == p)
			break;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (hi >= lo)
			n += (unsigned int)(hi - lo + 1);
		if (*p != ',')
			break;
		p++;
	}
	return n ? n : 1;
}

static unsigned int read_possible_cpus(void)
{
	char buf[256];

	if (bb_read_text("/sys/devices/system/cpu/possible", buf, sizeof(buf)) <= 0)
		return 1;
	return parse_possible(buf);
}

static void state_init(void)
{
	const char *m = getenv("BPFBATCH_MODE"), *bulk = getenv("BPFBATCH_BULK");

	g.mode = BB_MODE_AUTO;
	if (m && strcmp(m, "native") == 0)
		g.mode = BB_MODE_NATIVE;
	else if (m && strcmp(m, "emulate") == 0)
		g.mode = BB_MODE_EMULATE;
	g.log = bb_env_on("BPFBATCH_LOG");
	g.stats = bb_env_on("BPFBATCH_STATS");
	g.bulk = !bulk || strcmp(bulk, "0") != 0;
	g.bulk_eager = bulk && strcmp(bulk, "1") == 0;
	g.possible_cpus = read_possible_cpus();
}

enum bb_mode bb_state_mode(void)
{
	pthread_once(&g.once, state_init);
	return g.mode;
}

bool bb_state_log(void)
{
	pthread_once(&g.once, state_init);
	return g.log;
}

bool bb_state_stats(void)
{
	pthread_once(&g.once, state_init);
	return g.stats;
}

bool bb_state_bulk(void)
{
	pthread_once(&g.once, state_init);
	return g.bulk;
}

bool bb_state_bulk_eager(void)
{
	pthread_once(&g.once, state_init);
	return g.bulk_eager;
}

unsigned int bb_state_possible_cpus(void)
{
	pthread_once(&g.once, state_init);
	return g.possible_cpus;
}

enum bb_tri bb_feature_get(enum bb_feature f)
{
	return (enum bb_tri)atomic_load_explicit(&g.features[f], memory_order_relaxed);
}

void bb_feature_set(enum bb_feature f, bool yes)
{
	atomic_store_explicit(&g.features[f], yes ? BB_TRI_YES : BB_TRI_NO, memory_order_relaxed);
}

void bb_type_mark_unsupported(uint32_t map_type, int cmd)
{
	if (map_type >= BB_MAP_TYPE_MAX || !BB_IS_BATCH_CMD(cmd))
		return;
	atomic_fetch_or(&g.unsupported[map_type], 1U << (cmd - BB_MAP_LOOKUP_BATCH));
	atomic_store(&g.any_unsupported, true);
}

bool bb_type_unsupported(uint32_t map_type, int cmd)
{
	if (map_type >= BB_MAP_TYPE_MAX || !BB_IS_BATCH_CMD(cmd))
		return false;
	return atomic_load(&g.unsupported[map_type]) & (1U << (cmd - BB_MAP_LOOKUP_BATCH));
}

bool bb_any_type_unsupported(void)
{
	return atomic_load_explicit(&g.any_unsupported, memory_order_relaxed);
}

enum bb_tri bb_type_lookup_and_delete_elem(uint32_t map_type)
{
	if (map_type >= BB_MAP_TYPE_MAX)
		return BB_TRI_NO;
	return (enum bb_tri)atomic_load_explicit(&g.lookup_and_delete_elem[map_type],
						 memory_order_relaxed);
}

void bb_type_set_lookup_and_delete_elem(uint32_t map_type, bool yes)
{
	if (map_type < BB_MAP_TYPE_MAX)
		atomic_store_explicit(&g.lookup_and_delete_elem[map_type],
				      yes ? BB_TRI_YES : BB_TRI_NO, memory_order_relaxed);
}
