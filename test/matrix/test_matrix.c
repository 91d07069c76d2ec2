/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The coverage matrix: kernels {4.9, 4.14, 4.19, 5.4, 5.10, 5.15, native} x
 * every map type the matrix client creates x the four batch commands.
 *
 * Ground truth is the client run on this kernel (6.18) without the shim;
 * where 6.18 answers 524 for a cell, the client's --reference run (the same
 * scenario done with single-element commands, 524 where the syscall refuses
 * the type) stands in for it. Every kernel's run, under `bpfbatch sim` with
 * the shim preloaded, must print the same RESULT and DIGEST per cell. The
 * same client under the supervisor (`bpfbatch run [--kernel K]`, which
 * reaches binaries LD_PRELOAD cannot) must print exactly what the shim
 * printed on that kernel, cell for cell.
 *
 * Each cell is classified from the shim's BPFBATCH_LOG lines between the
 * client's "matrix: cell" markers: only "native (...)" lines = native (the
 * kernel served every call), "emulated ... -> -524" or "kernel (...)" =
 * refused as the kernel refuses, any other "emulated" = emulated. The table goes to MATRIX_OUT
 * (docs/map-types.md keeps a copy) and to stdout.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/maptypes.h"
#include "platform/kversion.h"

#include "matrix_run.h"

#define NCMDS 4

static const char *const cmds[NCMDS] = { "LOOKUP", "LOOKUP_AND_DELETE", "UPDATE", "DELETE" };

static const struct kernel kernels[] = {
	{ "4.9", "4.9", BB_KV(4, 9) },	  { "4.14", "4.14", BB_KV(4, 14) },
	{ "4.19", "4.19", BB_KV(4, 19) }, { "5.4", "5.4", BB_KV(5, 4) },
	{ "5.10", "5.10", BB_KV(5, 10) }, { "5.15", "5.15", BB_KV(5, 15) },
	{ NULL, "native (6.18)", BB_KV_NEWEST },
};

#define NKERNELS (sizeof(kernels) / sizeof(kernels[0]))

/* The map type of a cell: the client prints the table's names in capitals. */
static uint32_t type_of(const char *name)
{
	for (uint32_t t = 0; t < BB_MAP_TYPE_COUNT; t++)
		if (bb_maptype_name(t) && !strcasecmp(bb_maptype_name(t), name))
			return t;
	return BB_MAP_TYPE_UNSPEC;
}

/*
 * Since when each type exists: the simulator filters bpf commands, not map
 * types, so the client creates every type on every simulated kernel; a cell
 * of a type the kernel did not have is still compared (the shim must not
 * misbehave) but shown as "n/a" rather than counted as coverage.
 */
static uint32_t since(const char *type)
{
	return bb_maptype_since(type_of(type));
}

/*
 * Where the old kernel lacks the single-element primitive the emulation
 * needs, its answer is all anyone can give: LPM tries have no GET_NEXT_KEY
 * before 4.16, so their lookups cannot walk (the shim passes the kernel's
 * 524 on). Accepted as refused, and marked in the table.
 */
static bool old_kernel_limit(const struct kernel *k, const struct cell *c)
{
	return k->v < bb_maptype_next_key_since(type_of(c->type)) &&
	       (!strcmp(c->cmd, "LOOKUP") || !strcmp(c->cmd, "LOOKUP_AND_DELETE")) &&
	       !strcmp(c->result, "errno=524") && !strncmp(c->digest, "n=0,", 4);
}

static struct run truth, ref, runs[NKERNELS], sruns[NKERNELS], nruns[NKERNELS];

/* The first cell of the next map type this machine could create, from
 * cell @i on (a type's first), or -1; its row is begun in @md. */
static int open_row(FILE *md, int i)
{
	for (; i < truth.n; i += NCMDS)
		if (strcmp(truth.cells[i].result, "skip")) {
			fprintf(md, "| %s |", truth.cells[i].type);
			return i;
		}
	return -1;
}

/* A table's first two lines: a column per kernel. */
static void table_head(FILE *md)
{
	fprintf(md, "| map type |");
	for (size_t k = 0; k < NKERNELS; k++)
		fprintf(md, " %s |", kernels[k].label);
	fprintf(md, "\n|----------|");
	for (size_t k = 0; k < NKERNELS; k++)
		fprintf(md, "%s", k + 1 < NKERNELS ? ":----:|" : ":------:|");
	fprintf(md, "\n");
}

/* Every kernel: user notification or ptrace, whichever --via auto takes. */
static bool supervised(const struct kernel *k)
{
	return k->v != 0;
}

/* Where auto does not take notify for want of pidfd_getfd (5.0-5.5), notify
 * is also run, forced, to show the deviation auto avoids. */
static bool forced_notify(const struct kernel *k)
{
	return bb_kv_has(k->v, BB_KF_SECCOMP_USER_NOTIF) && !bb_kv_has(k->v, BB_KF_PIDFD_GETFD);
}

/*
 * The deviation of a forced `--via notify` in the matrix (docs/containers.md):
 * before 5.6 there is no pidfd_getfd, and a target's fd that is not a map
 * (reopened by id) is out of the notify supervisor's reach, so an UPDATE whose
 * values carry such fds cannot be served and is answered as the old kernel
 * would (EINVAL: clients fall back to their own loop). --via auto takes
 * ptrace there, which takes them by SCM_RIGHTS: no deviation.
 */
static bool out_of_reach(const struct kernel *k, const char *type, const char *cmd,
			 const struct cell *got)
{
	struct bb_value_fd vfd;

	return forced_notify(k) && !strcmp(cmd, "UPDATE") && got &&
	       !strcmp(got->result, "errno=22") && bb_maptype_value_fd(type_of(type), 8, &vfd) &&
	       vfd.kind != BB_FD_MAP;
}

/*
 * The supervisor's tables: the client under `bpfbatch run [--kernel K]`, no
 * preload, must answer every cell exactly as the preloaded shim did on the
 * same kernel (result and digest), whether or not the type existed there:
 * one emulation core, so one answer. Marks as in the shim's table, `!` where
 * the two differ; with @forced (`--via notify`, srs), `x`
 * for its deviation. Returns the number of differences, listed in @fails.
 */
static int sup_table(FILE *md, const struct run *srs, bool forced, char *fails, size_t cap,
		     size_t *flen)
{
	char devs[4096] = "";
	size_t dlen = 0;
	int nfail = 0;

	if (forced)
		fprintf(md, "\nThrough the supervisor with `--via notify` forced where --via auto "
			    "takes ptrace for want of pidfd_getfd:\n\n");
	else
		fprintf(md, "\nThrough the supervisor (`bpfbatch run`, --via auto, no preload), "
			    "against the shim on the same kernel:\n\n");
	table_head(md);
	for (int i = open_row(md, 0); i >= 0; i = open_row(md, i + NCMDS)) {
		const char *type = truth.cells[i].type;

		for (size_t k = 0; k < NKERNELS; k++) {
			char cellstr[NCMDS + 1];

			if (forced ? !forced_notify(&kernels[k]) : !supervised(&kernels[k])) {
				fprintf(md, " n/a |");
				continue;
			}
			for (int c = 0; c < NCMDS; c++) {
				int j = find_cell(&runs[k], type, cmds[c]);
				int m = find_cell(&srs[k], type, cmds[c]);
				const struct cell *want = j >= 0 ? &runs[k].cells[j] : NULL;
				const struct cell *got = m >= 0 ? &srs[k].cells[m] : NULL;

				if (want && got && !strcmp(got->result, want->result) &&
				    !strcmp(got->digest, want->digest)) {
					cellstr[c] = since(type) <= kernels[k].v ? srs[k].klass[m]
										 : '-';
					continue;
				}
				if (forced && out_of_reach(&kernels[k], type, cmds[c], got)) {
					cellstr[c] = 'x';
					dlen += (size_t)snprintf(devs + dlen, sizeof(devs) - dlen,
						"- %s UPDATE on %s: fds out of reach, EINVAL\n", type,
						kernels[k].label);
					if (dlen >= sizeof(devs))
						dlen = sizeof(devs) - 1;
					continue;
				}
				cellstr[c] = '!';
				nfail++;
				*flen += (size_t)snprintf(fails + *flen, cap - *flen,
					"- run%s: %s %s on %s: shim `%s %s`, supervisor `%s %s`\n",
					forced ? " --via notify" : "", type, cmds[c], kernels[k].label,
					want ? want->result : "(missing)", want ? want->digest : "",
					got ? got->result : "(missing)", got ? got->digest : "");
				if (*flen >= cap)
					*flen = cap - 1;
			}
			cellstr[NCMDS] = '\0';
			fprintf(md, " %s |", cellstr);
		}
		fprintf(md, "\n");
	}
	if (dlen)
		fprintf(md, "\n`x`: forced notify's documented deviation before 5.6 (no pidfd_getfd: "
			    "fds in values that are not maps cannot be taken from the target):\n\n%s",
			devs);
	return nfail;
}

Test(live, coverage_matrix, .timeout = 600)
{
	static char fails[16384], notes[16384];
	size_t flen = 0, nlen = 0;
	int nfail = 0, nchecked = 0;
	FILE *md;

	if (geteuid() != 0)
		cr_skip_test("needs root: creates BPF maps");

	run_client(&truth, NULL, F_TRUTH, NULL);
	run_client(&ref, NULL, F_TRUTH, "--reference");
	cr_assert(truth.status == 0 && truth.n > 0, "ground-truth run failed");
	cr_assert(ref.status == 0 && ref.n == truth.n, "reference run failed");
	for (size_t k = 0; k < NKERNELS; k++) {
		run_client(&runs[k], &kernels[k], F_SHIM, NULL);
		if (supervised(&kernels[k]))
			run_client(&sruns[k], &kernels[k], F_RUN, NULL);
		if (forced_notify(&kernels[k]))
			run_client(&nruns[k], &kernels[k], F_RUN_NOTIFY, NULL);
	}

	md = fopen(MATRIX_OUT, "w");
	cr_assert(md, "cannot write %s", MATRIX_OUT);
	fprintf(md, "Cells: `L LD U D` = LOOKUP, LOOKUP_AND_DELETE, UPDATE, DELETE batch.\n"
		    "`N` native (the kernel's batch command), `E` emulated, `R` refused with the\n"
		    "kernel's own answer (524, as 6.18 gives it), `r` refused because the old\n"
		    "kernel lacks the single-element command the emulation needs, `-` the type\n"
		    "does not exist in that kernel (still run: the simulator does not refuse map\n"
		    "creation; differences there are listed, not failed), `!` disagrees with\n"
		    "the ground truth.\n\n");
	table_head(md);

	for (int i = open_row(md, 0); i >= 0; i = open_row(md, i + NCMDS)) {
		const char *type = truth.cells[i].type;

		for (size_t k = 0; k < NKERNELS; k++) {
			const struct kernel *kn = &kernels[k];
			bool exists = since(type) <= kn->v;
			char cellstr[32];
			bool na_first = false;
			int cl = 0;

			for (int c = 0; c < NCMDS; c++) {
				const struct cell *t = &truth.cells[i + c];
				const struct cell *rf = &ref.cells[i + c];
				const struct cell *exp = strcmp(t->result, "errno=524") ? t : rf;
				int j = find_cell(&runs[k], type, cmds[c]);
				const struct cell *got = j >= 0 ? &runs[k].cells[j] : NULL;
				char mark;

				cr_assert(!strcmp(t->cmd, cmds[c]) && !strcmp(rf->type, type));
				nchecked++;
				if (got && !strcmp(got->result, exp->result) &&
				    !strcmp(got->digest, exp->digest)) {
					mark = runs[k].klass[j];
				} else if (got && old_kernel_limit(kn, got)) {
					mark = 'r';
				} else if (!exists) {
					/* no tool can meet it there: noted, not failed */
					mark = '-';
					if (!na_first) {
						na_first = true;
						nlen += (size_t)snprintf(notes + nlen,
							sizeof(notes) - nlen,
							"- %s on %s: expected `%s`, got `%s` for",
							type, kn->label, exp->result,
							got ? got->result : "(missing)");
					}
					nlen += (size_t)snprintf(notes + nlen, sizeof(notes) - nlen,
								 " %s", cmds[c]);
					if (nlen >= sizeof(notes))
						nlen = sizeof(notes) - 1;
				} else {
					mark = '!';
					nfail++;
					flen += (size_t)snprintf(fails + flen,
						sizeof(fails) - flen,
						"- %s %s on %s: expected `%s %s`, got `%s %s`\n",
						type, cmds[c], kn->label, exp->result, exp->digest,
						got ? got->result : "(missing)",
						got ? got->digest : "");
					if (flen >= sizeof(fails))
						flen = sizeof(fails) - 1;
				}
				if (!exists)
					mark = '-';
				cellstr[cl++] = mark;
			}
			cellstr[cl] = '\0';
			if (na_first && nlen + 2 < sizeof(notes))
				nlen += (size_t)snprintf(notes + nlen, sizeof(notes) - nlen, "\n");
			fprintf(md, " %s |", cellstr);
		}
		fprintf(md, "\n");
	}
	nfail += sup_table(md, sruns, false, fails, sizeof(fails), &flen);
	nfail += sup_table(md, nruns, true, fails, sizeof(fails), &flen);
	fprintf(md, "\nShim (and supervisor) statistics per run (`BPFBATCH_STATS=1`):\n\n");
	for (size_t k = 0; k < NKERNELS; k++)
		fprintf(md, "- %s: %s; run: %s\n", kernels[k].label,
			runs[k].stats[0] ? runs[k].stats : "(no stats line)",
			!supervised(&kernels[k]) ? "n/a"
			: sruns[k].stats[0] ? sruns[k].stats : "(no stats line)");
	for (size_t k = 0; k < NKERNELS; k++)
		if (forced_notify(&kernels[k]))
			fprintf(md, "- %s, run --via notify: %s\n", kernels[k].label,
				nruns[k].stats[0] ? nruns[k].stats : "(no stats line)");
	if (nfail)
		fprintf(md, "\nDisagreements (with the ground truth; run with the shim):\n\n%s",
			fails);
	if (nlen)
		fprintf(md, "\nDifferences on kernels that did not have the type (`-`, not "
			    "failures):\n\n%s", notes);
	fclose(md);

	/* Print the table: the point of the test as much as the verdict. */
	{
		FILE *f = fopen(MATRIX_OUT, "r");
		char line[512];

		while (f && fgets(line, sizeof(line), f))
			fputs(line, stdout);
		if (f)
			fclose(f);
		fflush(stdout);
	}
	for (size_t k = 0; k < NKERNELS; k++) {
		cr_expect(runs[k].status == 0, "%s: client exited with %#x", kernels[k].label,
			  runs[k].status);
		cr_expect(sruns[k].status == 0, "%s: client under run exited with %#x",
			  kernels[k].label, sruns[k].status);
		cr_expect(nruns[k].status == 0, "%s: client under run --via notify exited with %#x",
			  kernels[k].label, nruns[k].status);
	}
	cr_expect(nfail == 0, "%d of %d cells disagree (truth, or run vs shim):\n%s", nfail,
		  nchecked, fails);
}
