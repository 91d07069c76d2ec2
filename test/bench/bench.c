/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-bench MODE [OPTIONS]: one line per figure, "MODE key=value ...".
 *
 *   table       every command x {batch 10, 1000, N, hand loops} on one map,
 *               in bench_table.c
 *   floor       emulated (or native) batch vs the best hand loop, alternated
 *               on the same map, median of per-pair ratios, in bench_floor.c
 *   passthrough syscall(SYS_getpid), LOOKUP_ELEM and a native LOOKUP_BATCH
 *               of a whole --n-entry hash (--n 1000 for the per-call cost)
 *               through the interposed syscall() vs glibc's own, alternated
 *   count       one operation between two getppid() markers, for strace;
 *               the operation runs in bench_region() for callgrind
 *               (bench_count.c)
 *   ptcount     --iters calls of one passthrough kind (--op getpid|lookup_elem,
 *               --variant direct|shim) in bench_pt_region(), for callgrind
 *   scale       emulated batch and best loop per element at 10k, 100k, --n
 *               (bench_floor.c)
 *   mem         peak RSS growth of a whole lookup / lookup-and-delete walk
 *   abandon     RSS while starting iterations that are never finished
 *   legacy      the loops BPFBATCH_ACCEL speeds up and what they are held
 *               to (--op dump|dumpall|items|dumploop|clear|delfloor; all
 *               by default), in bench_legacy.c
 *   bulk        every command at batch 100, 1000 and --n, for the bulk
 *               path's rounds (BPFBATCH_BULK), in bench_bulk.c
 *   alt         the table's batch rows through glibc's syscall() and the
 *               interposed one, alternated in one process, in bench_alt.c
 *   callcost    ns per single-element command, in bench_bulk.c
 *
 * Options: --type hash|percpu_hash|array, --n N, --ks BYTES, --vs BYTES,
 * --batch B, --reps R, --op OP, --variant batch|loop|loop3|walk,
 * --iters M, --count C, --quick (N = 100000), --skip V,V (table: variants
 * not to run; count: "op", set up only). passthrough, ptcount, mem and abandon live in bench_sys.c.
 *
 * Hand loops: "loop" is the best single-element loop (lookup: get_next_key +
 * lookup; lookup_and_delete: get_next_key + LOOKUP_AND_DELETE_ELEM one
 * behind; delete: DELETE_ELEM of the given keys; update: UPDATE_ELEM),
 * "loop3" get_next_key + lookup + delete one behind, "walk" get_next_key +
 * delete one behind.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const struct {
	const char *name;
	uint32_t type;
} map_types[] = {
	{ "hash", BPF_MAP_TYPE_HASH },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH },
	{ "array", BPF_MAP_TYPE_ARRAY },
};

static void parse_opts(int argc, char **argv, struct bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->type = BPF_MAP_TYPE_HASH;
	o->type_name = "hash";
	o->n = 1000000;
	o->ks = 8;
	o->vs = 8;
	o->batch = 1000;
	o->reps = 3;
	o->iters = 200000;
	o->count = 10000;
	o->op = "lookup";
	o->variant = "batch";
	if (argc < 2)
		bench_die("usage: bpfbatch-bench MODE [--option value]...", EINVAL);
	o->mode = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(k, "--quick") == 0) {
			o->n = 100000;
			continue;
		}
		if (!v)
			bench_die(k, EINVAL);
		i++;
		if (strcmp(k, "--type") == 0) {
			size_t t;

			for (t = 0; t < sizeof(map_types) / sizeof(map_types[0]); t++)
				if (strcmp(v, map_types[t].name) == 0)
					break;
			if (t == sizeof(map_types) / sizeof(map_types[0]))
				bench_die(v, EINVAL);
			o->type = map_types[t].type;
			o->type_name = map_types[t].name;
		} else if (strcmp(k, "--op") == 0) {
			o->op = v;
		} else if (strcmp(k, "--variant") == 0) {
			o->variant = v;
		} else if (strcmp(k, "--skip") == 0) {
			o->skip = v;
		} else {
			unsigned long x = strtoul(v, NULL, 0);

			if (strcmp(k, "--n") == 0)
				o->n = (uint32_t)x;
			else if (strcmp(k, "--ks") == 0)
				o->ks = (uint32_t)x;
			else if (strcmp(k, "--vs") == 0)
				o->vs = (uint32_t)x;
			else if (strcmp(k, "--batch") == 0)
				o->batch = (uint32_t)x;
			else if (strcmp(k, "--reps") == 0)
				o->reps = (uint32_t)x;
			else if (strcmp(k, "--iters") == 0)
				o->iters = (uint32_t)x;
			else if (strcmp(k, "--count") == 0)
				o->count = (uint32_t)x;
			else
				bench_die(k, EINVAL);
		}
	}
	if (o->type == BPF_MAP_TYPE_ARRAY)
		o->ks = 4; /* the index */
	if (!o->n || !o->batch || !o->reps)
		bench_die("--n, --batch and --reps must be positive", EINVAL);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct bench_opts *o);
	} modes[] = {
		{ "table", bench_mode_table },	     { "floor", bench_mode_floor },
		{ "passthrough", bench_mode_passthrough }, { "count", bench_mode_count },
		{ "mem", bench_mode_mem },		     { "abandon", bench_mode_abandon },
		{ "ptcount", bench_mode_ptcount },	     { "scale", bench_mode_scale },
		{ "legacy", bench_mode_legacy },	     { "bulk", bench_mode_bulk },
		{ "alt", bench_mode_alt },		     { "callcost", bench_mode_callcost },
	};
	struct bench_opts o;

	parse_opts(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(o.mode, modes[i].name) == 0)
			return modes[i].fn(&o);
	return bench_die(o.mode, EINVAL);
}
