/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The coverage-matrix client: for every map type this machine can create and
 * each of the four batch commands, one canonical scenario through libbpf's
 * bpf_map_*_batch() on a fresh map, printed as one line per cell:
 *
 *	TYPE CMD RESULT DIGEST
 *
 * RESULT is "ok" or "errno N"; DIGEST hashes everything the caller could
 * observe that does not depend on hash order or on how the work was split
 * into calls: the sorted returned pairs, the per-call (errno, count) of the
 * writing commands, and the map's final contents read back with
 * single-element commands. Object ids and socket cookies are replaced by the
 * index of the object the test created, so that two runs compare. Every
 * buffer a batch command gets ends at a PROT_NONE page (tokens are exactly
 * the type's token size), and a byte changed before one is a line too.
 *
 * With --reference the same scenarios run with each batch command replaced by
 * a loop of single-element commands with the batch command's semantics: the
 * ground truth for cells the running kernel refuses (524). With --dump the
 * text behind every digest is printed too.
 *
 * Each cell is announced on stderr ("matrix: cell TYPE CMD") so that a
 * caller running us under BPFBATCH_LOG=1 can attribute the shim's log lines.
 *
 * The pieces: matrix.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "matrix.h"

const char *const cmd_names[C_NUM] = {
	"LOOKUP", "LOOKUP_AND_DELETE", "UPDATE", "DELETE",
};

int ncpus;
bool opt_reference, opt_dump;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ULL;
	}
	return h ^ '\n';
}

static void run_cell(const struct mtype *t, enum cmd cmd)
{
	struct cell c = { .t = t, .stride = value_stride(t) };
	int hi = t->fill / 2 + 10, del_hi, err;
	uint64_t h = 0xcbf29ce484222325ULL;
	int got = 0, final = 0;
	char result[32];

	if (hi > t->universe)
		hi = t->universe;
	/* Leave two elements so the read-back sees survivors; a map that
	 * cannot be filled still gets deletes, to compare their errors. */
	del_hi = t->fill > 2 ? t->fill - 2 : t->fill ? t->fill : t->universe;
	if (del_hi > 10)
		del_hi = 10;
	fprintf(stderr, "matrix: cell %s %s\n", tname(t), cmd_names[cmd]);
	c.fd = create_map(t);
	if (c.fd < 0) {
		printf("%s %s skip errno=%d\n", tname(t), cmd_names[cmd], -c.fd);
		return;
	}
	make_objs(t, &c.o);
	fill(&c);

	switch (cmd) {
	case C_LOOKUP:
	case C_LOOKUP_AND_DELETE:
		err = scenario_lookup(&c, cmd == C_LOOKUP_AND_DELETE);
		break;
	case C_UPDATE:
		/* half overwrites present keys, half adds new ones */
		err = scenario_write(&c, C_UPDATE, t->fill / 2, hi, 1, "update");
		break;
	case C_DELETE:
	default:
		err = scenario_write(&c, C_DELETE, 0, del_hi, 0, "delete");
		/* then a key that is not there: ENOENT and a partial count
		 * where the type says so (not for every array-like type) */
		if (t->universe > 0)
			scenario_write(&c, C_DELETE, t->universe - 1, t->universe, 0, "tail");
		break;
	}
	read_back(&c);

	if (err)
		snprintf(result, sizeof(result), "errno=%d", -err);
	else
		snprintf(result, sizeof(result), "ok");
	qsort(c.lines, (size_t)c.nlines, sizeof(c.lines[0]), cmp_str);
	for (int i = 0; i < c.nlines; i++) {
		h = fnv1a(h, c.lines[i]);
		got += !strncmp(c.lines[i], "got ", 4);
		final += !strncmp(c.lines[i], "final ", 6);
	}
	printf("%s %s %s n=%d,final=%d,h=%016llx%s\n", tname(t), cmd_names[cmd], result, got,
	       final, (unsigned long long)h, c.overflow ? ",overflow" : "");
	for (int i = 0; i < c.nlines; i++) {
		if (opt_dump)
			printf("#   %s\n", c.lines[i]);
		free(c.lines[i]);
	}
	close(c.fd);
	free_objs(&c.o);
}

static int possible_cpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? n : 1;
}

int main(int argc, char **argv)
{
	const char *only = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reference"))
			opt_reference = true;
		else if (!strcmp(argv[i], "--dump"))
			opt_dump = true;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--reference] [--dump] [--only TYPE]\n", argv[0]);
			return 2;
		}
	}
	/* line-buffered: a caller sees complete lines even if we crash */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = possible_cpus();
	matrix_types_init();
	for (size_t i = 0; i < ntypes; i++) {
		if (only && strcmp(only, tname(&types[i])))
			continue;
		if (opt_reference)
			ref_refusal = probe_refusals(&types[i]);
		for (int cmd = 0; cmd < C_NUM; cmd++)
			run_cell(&types[i], (enum cmd)cmd);
	}
	return 0;
}
