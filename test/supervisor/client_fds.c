/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Fds the target does not hold, in values and as the map fd: the answer must
 * be the kernel's for the target (EBADF/EINVAL, as UPDATE_ELEM or
 * LOOKUP_ELEM with the same arguments says), never the work of an object
 * the supervisor happens to hold under that number.
 *
 * "foreign [RUN-ARGS...]" (natively, BPFBATCH_TOOL set): make one object of
 * every kind a value can name (map, programs, sockets, perf event, cgroup)
 * at high fd numbers, inheritable, and start `bpfbatch run RUN-ARGS -- self
 * foreign-child FDS...`: the supervisor holds them all. The child closes
 * them first, then names them in UPDATE_BATCH values of every fd-carrying
 * map type and as the map fd of a LOOKUP_BATCH, and prints each batch answer
 * next to the kernel's single-element answer for the same arguments.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/uapi.h"

#include "client_modes.h"
#include "client_util.h"
#include "value_objs.h"

#define FIRST_FD 200 /* above anything the child opens itself */
#ifndef AF_XDP
#define AF_XDP 44
#endif

enum obj { O_MAP, O_PROG, O_XDP_DEVMAP, O_XDP_CPUMAP, O_UDP, O_UDP_REUSEPORT, O_XSK, O_PERF,
	   O_CGROUP, O_NUM };

static const char *const obj_names[O_NUM] = {
	"map", "program", "devmap program", "cpumap program", "udp socket",
	"reuseport socket", "xdp socket", "perf event", "cgroup",
};

static int make(enum obj o)
{
	uint32_t inner[16] = { BB_MAP_TYPE_ARRAY, 4, 4, 1 };

	switch (o) {
	case O_MAP:
		return (int)sys_bpf(BB_MAP_CREATE, inner, sizeof(inner));
	case O_PROG:
		return load_prog(BPF_PROG_TYPE_SOCKET_FILTER, 0);
	case O_XDP_DEVMAP:
		return load_prog(BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP);
	case O_XDP_CPUMAP:
		return load_prog(BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP);
	case O_UDP:
		return vo_udp_socket(false);
	case O_UDP_REUSEPORT:
		return vo_udp_socket(true);
	case O_XSK:
		return socket(AF_XDP, SOCK_RAW, 0);
	case O_PERF:
		return vo_perf_event();
	case O_CGROUP:
	default:
		return vo_cgroup();
	}
}

/* Make the objects at FIRST_FD.., inheritable, and run the child under the
 * supervisor with them. */
static void outer(int argc, char **argv)
{
	const char *tool = getenv("BPFBATCH_TOOL");
	char *args[32], fdarg[O_NUM][16], self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int n = 0, st;
	pid_t pid;

	if (!tool || len <= 0) {
		printf("foreign: BPFBATCH_TOOL is not set, or no /proc/self/exe\n");
		exit(1);
	}
	self[len] = '\0';
	args[n++] = (char *)tool;
	args[n++] = "run";
	for (int i = 0; i < argc && n < 16; i++)
		args[n++] = argv[i];
	args[n++] = "--";
	args[n++] = self;
	args[n++] = "foreign-child";
	for (int o = 0; o < O_NUM; o++) {
		int fd = make((enum obj)o);

		if (fd < 0 || dup2(fd, FIRST_FD + o) < 0) {
			printf("foreign: cannot make a %s: %d\n", obj_names[o], fd < 0 ? fd : -errno);
			exit(1);
		}
		close(fd);
		snprintf(fdarg[o], sizeof(fdarg[o]), "%d", FIRST_FD + o);
		args[n++] = fdarg[o];
	}
	args[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(tool, args);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("foreign: child status %#x\n", st);
		exit(1);
	}
}

struct vcase {
	const char *name;
	uint32_t type, vs;
	enum obj obj;
	uint32_t off;   /* of the fd in the value */
	uint32_t first; /* the value's first u32 where the fd is not there */
};

static const struct vcase cases[] = {
	{ "array_of_maps", BB_MAP_TYPE_ARRAY_OF_MAPS, 4, O_MAP, 0, 0 },
	{ "hash_of_maps", BB_MAP_TYPE_HASH_OF_MAPS, 4, O_MAP, 0, 0 },
	{ "prog_array", BB_MAP_TYPE_PROG_ARRAY, 4, O_PROG, 0, 0 },
	{ "devmap", BB_MAP_TYPE_DEVMAP, 8, O_XDP_DEVMAP, 4, 1 },          /* ifindex 1, prog */
	{ "devmap_hash", BB_MAP_TYPE_DEVMAP_HASH, 8, O_XDP_DEVMAP, 4, 1 },
	{ "cpumap", BB_MAP_TYPE_CPUMAP, 8, O_XDP_CPUMAP, 4, 192 },        /* qsize, prog */
	{ "sockmap", BB_MAP_TYPE_SOCKMAP, 8, O_UDP, 0, 0 },
	{ "sockhash", BB_MAP_TYPE_SOCKHASH, 8, O_UDP, 0, 0 },
	{ "reuseport_sockarray", BB_MAP_TYPE_REUSEPORT_SOCKARRAY, 8, O_UDP_REUSEPORT, 0, 0 },
	{ "xskmap", BB_MAP_TYPE_XSKMAP, 4, O_XSK, 0, 0 },
	{ "perf_event_array", BB_MAP_TYPE_PERF_EVENT_ARRAY, 4, O_PERF, 0, 0 },
	{ "cgroup_array", BB_MAP_TYPE_CGROUP_ARRAY, 4, O_CGROUP, 0, 0 },
};

/* The batch answer next to the element's: the same errno, and count as
 * the kernel leaves it for that errno. */
static void report(const char *what, long batch_r, uint32_t count, uint32_t want_count,
		   long elem_r)
{
	printf("%s: batch r=%ld count=%u, element r=%ld: %s\n", what, batch_r, count, elem_r,
	       batch_r == elem_r && count == want_count ? "same" : "DIFFERENT");
}

/* UPDATE_BATCH of one element whose value names fd @fd_num, and
 * UPDATE_ELEM of the same, on fresh maps of the case's type. */
static void value_case(const struct vcase *v, int fd_num, const char *what)
{
	uint32_t inner[16] = { BB_MAP_TYPE_ARRAY, 4, 4, 1 };
	uint32_t a[16] = { v->type, 4, v->vs, 1 };
	unsigned char val[8] = { 0 };
	uint32_t key = 0, count = 1, u = (uint32_t)fd_num;
	long fd, in = -1, r, e;

	if (v->type == BB_MAP_TYPE_ARRAY_OF_MAPS || v->type == BB_MAP_TYPE_HASH_OF_MAPS) {
		in = sys_bpf(BB_MAP_CREATE, inner, sizeof(inner));
		a[5] = (uint32_t)in; /* inner_map_fd */
	}
	fd = sys_bpf(BB_MAP_CREATE, a, sizeof(a));
	if (in >= 0)
		close((int)in);
	if (fd < 0) {
		printf("%s: map_create failed: %ld\n", v->name, fd);
		exit(1);
	}
	memcpy(val, &v->first, 4);
	memcpy(val + v->off, &u, 4);
	r = batch(BB_MAP_UPDATE_BATCH, (int)fd, NULL, NULL, &key, val, &count, 0, 0);
	{
		uint64_t ea[4] = { (uint64_t)fd, p2u(&key), p2u(val), 0 };

		e = sys_bpf(BB_MAP_UPDATE_ELEM, ea, sizeof(ea));
	}
	report(what, r, count, e ? 0 : 1, e);
	close((int)fd);
}

static void child(int argc, char **argv)
{
	int fds[O_NUM];

	if (argc != O_NUM) {
		printf("foreign-child: want %d fds\n", O_NUM);
		exit(1);
	}
	for (int o = 0; o < O_NUM; o++) {
		fds[o] = atoi(argv[o]);
		close(fds[o]); /* the supervisor still holds it */
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[96];

		snprintf(what, sizeof(what), "%s value naming a %s we do not hold",
			 cases[i].name, obj_names[cases[i].obj]);
		value_case(&cases[i], fds[cases[i].obj], what);
	}
	/* Fds no process holds, and "no program". */
	value_case(&cases[2], -1, "prog_array value naming fd -1");
	value_case(&cases[6], -1, "sockmap value naming fd -1 (above S32_MAX as a u64)");
	value_case(&cases[3], 0, "devmap value naming fd 0 (no program)");
	{
		uint32_t keys[4], count = 4, tok;
		uint64_t vals[4], ea[4] = { (uint32_t)fds[O_MAP], p2u(keys), p2u(vals), 0 };
		long r = batch(BB_MAP_LOOKUP_BATCH, fds[O_MAP], NULL, &tok, keys, vals, &count, 0,
			       0);

		/* refused before anything: count untouched */
		report("map fd naming a map we do not hold", r, count, 4,
		       sys_bpf(BB_MAP_LOOKUP_ELEM, ea, sizeof(ea)));
	}
}

void foreign_fds(int argc, char **argv)
{
	if (!strcmp(argv[0], "foreign-child"))
		child(argc - 1, argv + 1);
	else
		outer(argc - 1, argv + 1);
}
