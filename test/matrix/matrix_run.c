/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "matrix_run.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

/* The whole output of a child, read from a temporary file after it ends:
 * no pipe to keep drained while it runs. */
static char *slurp(int fd)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t r;

	cr_assert(buf);
	lseek(fd, 0, SEEK_SET);
	while ((r = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert(buf);
		}
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

static int run_child(char *const argv[], char **out, char **err)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int status, o, e;
	pid_t pid;

	cr_assert(fo && fe);
	o = dup(fileno(fo));
	e = dup(fileno(fe));
	fclose(fo);
	fclose(fe);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		/* The ground truth runs without the shim; the shim runs get
		 * exactly the settings named on their command line. */
		unsetenv("LD_PRELOAD");
		unsetenv("BPFBATCH_MODE");
		unsetenv("BPFBATCH_LOG");
		unsetenv("BPFBATCH_STATS");
		dup2(o, 1);
		dup2(e, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	cr_assert(waitpid(pid, &status, 0) == pid);
	*out = slurp(o);
	*err = slurp(e);
	return status;
}

static void parse_cells(struct run *r, char *out)
{
	char *save = NULL;

	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct cell *c = &r->cells[r->n];

		if (line[0] == '#' || r->n == MAX_CELLS)
			continue;
		if (sscanf(line, "%31s %31s %31s %95s", c->type, c->cmd, c->result, c->digest) < 3)
			continue;
		r->klass[r->n] = 'N';
		r->n++;
	}
}

int find_cell(const struct run *r, const char *type, const char *cmd)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->cells[i].type, type) && !strcmp(r->cells[i].cmd, cmd))
			return i;
	return -1;
}

/* "bpfbatch: LOOKUP_BATCH: emulated (why) -> r" belongs to the last cell
 * announced; only lines for the cell's own command count. */
static void classify(struct run *r, char *err)
{
	char *save = NULL, type[32], cmd[32], lcmd[48], path[16];
	int cur = -1;
	long ret;

	for (char *line = strtok_r(err, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "matrix: cell %31s %31s", type, cmd) == 2) {
			cur = find_cell(r, type, cmd);
			continue;
		}
		if (!strncmp(line, "bpfbatch: native ", 17)) {
			snprintf(r->stats, sizeof(r->stats), "%s", line + 10);
			continue;
		}
		if (cur < 0 || sscanf(line, "bpfbatch: %47[A-Z_]: %15s", lcmd, path) != 2)
			continue;
		snprintf(cmd, sizeof(cmd), "%s_BATCH", r->cells[cur].cmd);
		if (strcmp(lcmd, cmd))
			continue;
		if (!strcmp(path, "kernel")) {
			r->klass[cur] = r->klass[cur] == 'E' ? 'E' : 'R';
		} else if (!strcmp(path, "emulated")) {
			char *arrow = strstr(line, "-> ");

			ret = arrow ? strtol(arrow + 3, NULL, 10) : 0;
			if (ret == -524)
				r->klass[cur] = r->klass[cur] == 'E' ? 'E' : 'R';
			else
				r->klass[cur] = 'E';
		}
	}
}

void run_client(struct run *r, const struct kernel *k, enum front f, const char *extra)
{
	const char *so = getenv("BPFBATCH_SO"), *tool = getenv("BPFBATCH_TOOL");
	char preload[4096];
	char *argv[16], *out, *err;
	int n = 0;

	memset(r, 0, sizeof(*r));
	if (f != F_TRUTH)
		cr_assert(so && tool, "BPFBATCH_SO and BPFBATCH_TOOL must be set (meson test)");
	bool run = f == F_RUN || f == F_RUN_NOTIFY;

	if (run) {
		/* The supervisor logs and counts in its own process. */
		argv[n++] = "env";
		argv[n++] = "BPFBATCH_STATS=1";
		argv[n++] = "BPFBATCH_LOG=1";
	}
	if (run || (f == F_SHIM && k->name)) {
		argv[n++] = (char *)tool;
		argv[n++] = run ? "run" : "sim";
		if (f == F_RUN_NOTIFY) {
			argv[n++] = "--via";
			argv[n++] = "notify";
		}
		if (k->name) {
			argv[n++] = "--kernel";
			argv[n++] = (char *)k->name;
		}
		argv[n++] = "--";
	}
	if (f == F_SHIM) {
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", so);
		argv[n++] = "env";
		argv[n++] = preload;
		argv[n++] = "BPFBATCH_STATS=1";
		argv[n++] = "BPFBATCH_LOG=1";
	}
	argv[n++] = MATRIX_CLIENT;
	if (extra)
		argv[n++] = (char *)extra;
	argv[n] = NULL;
	r->status = run_child(argv, &out, &err);
	parse_cells(r, out);
	if (f != F_TRUTH)
		classify(r, err);
	if (r->status)
		cr_log_error("%s%s%s: exit status %#x; stderr tail: %s", k ? k->label : "truth",
			     f == F_RUN ? " (run)" : f == F_RUN_NOTIFY ? " (run --via notify)" : "", extra ? extra : "", r->status,
			     strlen(err) > 600 ? err + strlen(err) - 600 : err);
	free(out);
	free(err);
}
