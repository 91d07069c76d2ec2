/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch probe [--json]
 * For each map type this kernel can create: does it have each batch command
 * natively, and what will the shim do (native, emulated, or the kernel's
 * refusal)? The answer is dispatch's own (bb_dispatch_route). Run it under
 * `bpfbatch sim --kernel X.Y` to see an older kernel. Also: the front end
 * `bpfbatch run` takes here by default, and why (supervisor/via.h; for a
 * simulated kernel, `bpfbatch run --explain --kernel X.Y`).
 */
#include <errno.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "core/bulk.h"
#include "core/dispatch.h"
#include "core/kprobe.h"
#include "core/maptypes.h"
#include "platform/raw.h"
#include "platform/uapi.h"
#include "supervisor/via.h"

/* How to create a scratch map of each type (as root, no device needed). */
struct type_spec {
	uint32_t type;
	unsigned int key_size, value_size, max_entries, flags;
};

static const struct type_spec specs[] = {
	{ BB_MAP_TYPE_HASH, 4, 8, 16, 0 },
	{ BB_MAP_TYPE_ARRAY, 4, 8, 16, 0 },
	{ BB_MAP_TYPE_PROG_ARRAY, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_PERCPU_HASH, 4, 8, 16, 0 },
	{ BB_MAP_TYPE_PERCPU_ARRAY, 4, 8, 16, 0 },
	{ BB_MAP_TYPE_STACK_TRACE, 4, 64, 16, 0 },
	{ BB_MAP_TYPE_CGROUP_ARRAY, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_LRU_HASH, 4, 8, 16, 0 },
	{ BB_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 16, 0 },
	{ BB_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPF_F_NO_PREALLOC },
	{ BB_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_HASH_OF_MAPS, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_DEVMAP, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_SOCKMAP, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_CPUMAP, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_XSKMAP, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_SOCKHASH, 4, 4, 16, 0 },
	{ BB_MAP_TYPE_CGROUP_STORAGE, 8, 8, 0, 0 },
	{ BB_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, 8, 16, 0 },
	{ BB_MAP_TYPE_PERCPU_CGROUP_STORAGE, 8, 8, 0, 0 },
	{ BB_MAP_TYPE_QUEUE, 0, 8, 16, 0 },
	{ BB_MAP_TYPE_STACK, 0, 8, 16, 0 },
	{ BB_MAP_TYPE_DEVMAP_HASH, 4, 4, 16, 0 },
};

static const char *const cmd_names[] = { "lookup", "lookup_and_delete", "update", "delete" };
static const char *const path_names[] = {
	[BB_PATH_NATIVE] = "native",
	[BB_PATH_EMULATED] = "emulated",
	[BB_PATH_REFUSED] = "refused",
};

/* MAP_CREATE through the core's raw path, so that the tool needs no libbpf;
 * the attr ends at inner_map_fd, which every kernel with bpf() accepts. */
static int map_create(enum bpf_map_type type, unsigned int key_size, unsigned int value_size,
		      unsigned int max_entries, unsigned int flags, int inner)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = max_entries;
	a.map_flags = flags;
	a.inner_map_fd = inner >= 0 ? (unsigned int)inner : 0;
	return (int)bb_raw_bpf(BPF_MAP_CREATE, &a,
			       offsetof(union bpf_attr, inner_map_fd) + sizeof(a.inner_map_fd));
}

static int create(const struct type_spec *s)
{
	struct bb_value_fd vfd;
	int inner = -1, fd;

	/* Map-in-map: created with an inner map as the template. */
	if (bb_maptype_value_fd(s->type, s->value_size, &vfd) && vfd.kind == BB_FD_MAP) {
		inner = map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, -1);
		if (inner < 0)
			return inner;
	}
	fd = map_create(s->type, s->key_size, s->value_size, s->max_entries, s->flags, inner);
	if (inner >= 0)
		close(inner);
	return fd;
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct sup_opts run_opts = { 0 };
	struct sup_choice fe = { 0 };
	bool json = false, first = true, bulk;
	const char *why;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else {
			fprintf(c == 'h' ? stdout : stderr,
				"Usage: bpfbatch probe [--json]\n"
				"Per map type and batch command: the kernel's answer and the shim's path.\n");
			return c == 'h' ? 0 : EXIT_USAGE;
		}
	}

	bulk = bb_bulk_available(&why);
	if (sup_via_choose(&run_opts, &fe) < 0)
		snprintf(fe.why, sizeof(fe.why), "could not be found out");
	if (json)
		printf("{\"kernel_batch_commands\": %s, \"bulk_path\": {\"available\": %s, "
		       "\"reason\": \"%s\"}, \"run_front_end\": {\"via\": \"%s\", "
		       "\"notify_exact\": %s, \"why\": \"%s\"}, \"types\": [",
		       bb_kprobe_batch_cmds() ? "true" : "false", bulk ? "true" : "false",
		       why, fe.via == SUP_VIA_PTRACE ? "ptrace" : "notify",
		       fe.notify_exact ? "true" : "false", fe.why);
	else
		printf("kernel batch commands: %s\nbulk path (emulated commands, many elements "
		       "per PROG_TEST_RUN): %s%s\nbpfbatch run's front end (--via auto): %s: %s\n"
		       "%-22s %-28s %-28s %-28s %-28s\n",
		       bb_kprobe_batch_cmds() ? "yes" : "no", bulk ? "available" : "off: ",
		       bulk ? "" : why, fe.via == SUP_VIA_PTRACE ? "ptrace" : "notify", fe.why,
		       "map type", "lookup", "lookup_and_delete", "update", "delete");

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct type_spec *s = &specs[i];
		const char *name = bb_maptype_name(s->type);
		int fd = create(s);

		if (fd < 0) {
			if (!json)
				printf("%-22s (not creatable here: %s)\n", name, strerror(-fd));
			continue;
		}
		if (json)
			printf("%s{\"type\": \"%s\", \"id\": %u", first ? "" : ", ", name,
			       (unsigned int)s->type);
		else
			printf("%-22s", name);
		first = false;
		for (int cmd = BB_MAP_LOOKUP_BATCH; cmd <= BB_MAP_DELETE_BATCH; cmd++) {
			long r = bb_kprobe_batch_op(fd, cmd);
			struct bb_route route = bb_dispatch_route(s->type, cmd, r);
			const char *v = path_names[route.path];
			char cell[64];

			if (json) {
				printf(", \"%s\": {\"kernel\": %ld, \"shim\": \"%s\", "
				       "\"why\": \"%s\"}",
				       cmd_names[cmd - BB_MAP_LOOKUP_BATCH], r, v, route.why);
			} else {
				snprintf(cell, sizeof(cell), "%s (kernel: %s)", v,
					 r == 0 ? "ok" : r == -BB_ENOTSUPP ? "524" : strerrorname_np((int)-r));
				printf(" %-28s", cell);
			}
		}
		printf(json ? "}" : "\n");
		close(fd);
	}
	if (json)
		printf("]}\n");
	return 0;
}
