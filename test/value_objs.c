/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "value_objs.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int vo_udp_socket(bool reuseport)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

int vo_perf_event(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_BPF_OUTPUT;
	a.sample_type = PERF_SAMPLE_RAW;
	return (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

/* On a hybrid hierarchy v2 is mounted below /sys/fs/cgroup. */
static const char *cgroup2_root(void)
{
	static char path[256];
	char dev[64], dir[256], fs[64];
	FILE *f;

	if (path[0])
		return path;
	snprintf(path, sizeof(path), "/sys/fs/cgroup");
	f = fopen("/proc/self/mounts", "r");
	if (!f)
		return path;
	while (fscanf(f, "%63s %255s %63s %*[^\n]", dev, dir, fs) == 3)
		if (!strcmp(fs, "cgroup2")) {
			snprintf(path, sizeof(path), "%s", dir);
			break;
		}
	fclose(f);
	return path;
}

int vo_cgroup(void)
{
	return open(cgroup2_root(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}
