/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/witness.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/textfile.h"

/* What a notified call abandoned to a signal returns to the syscall exit
 * path (the kernel-internal ERESTARTSYS, never seen by user space). */
#define ERESTARTSYS 512

static const char *const id_files[] = {
	"/sys/kernel/tracing/events/raw_syscalls/sys_exit/id",
	"/sys/kernel/debug/tracing/events/raw_syscalls/sys_exit/id",
};

/* The tracepoint's id: > 0, or -1 where there is none to be had. */
static int tracepoint_id(void)
{
	static int id; /* 0: not looked up yet; the supervisor is one thread */
	unsigned int i;
	FILE *f;

	for (i = 0; !id && i < sizeof(id_files) / sizeof(id_files[0]); i++) {
		f = fopen(id_files[i], "re");
		if (!f)
			continue;
		if (fscanf(f, "%d", &id) != 1 || id <= 0)
			id = 0;
		fclose(f);
	}
	if (!id)
		id = -1;
	return id;
}

/* Field 22 of /proc/<tid>/stat; 0 if it cannot be read. */
static unsigned long long start_time(pid_t tid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	if (bb_read_text(path, buf, sizeof(buf)) <= 0)
		return 0;
	/* The name (field 2) may hold anything: count from its end. */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%llu", &t);
	return t;
}

int witness_check(void)
{
	static int known = 1; /* 1: not found out yet */
	struct witness w;

	if (known == 1) {
		/* A counter on ourselves says whether the kernel lets us. */
		known = witness_open(&w, getpid());
		known = known > 0 ? -EIO : known;
		witness_close(&w);
	}
	return known;
}

bool witness_available(void)
{
	return witness_check() == 0;
}

int witness_open(struct witness *w, pid_t tid)
{
	struct perf_event_attr a;
	char filter[64];
	int id = tracepoint_id(), e;

	w->fd = -1;
	w->tid = tid;
	w->start = start_time(tid);
	if (id < 0)
		return -ENOENT;
	if (!w->start)
		return -ESRCH;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (uint64_t)id;
	w->fd = (int)syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	snprintf(filter, sizeof(filter), "id == %d && ret != -%d", SYS_bpf, ERESTARTSYS);
	if (ioctl(w->fd, PERF_EVENT_IOC_SET_FILTER, filter) < 0) {
		e = errno;
		witness_close(w);
		return -e;
	}
	return 0;
}

void witness_close(struct witness *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

int witness_read(const struct witness *w, uint64_t *count)
{
	if (w->fd < 0)
		return -EBADF;
	return read(w->fd, count, sizeof(*count)) == sizeof(*count) ? 0 : -EIO;
}

bool witness_counts(const struct seccomp_data *d)
{
	return d->arch == seccomp_arch_native() && d->nr == SYS_bpf;
}

bool witness_same_thread(const struct witness *w)
{
	return w->start && start_time(w->tid) == w->start;
}
