/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfcmd CMD [--fd N] [--size S] [--null-attr] [--cmd-hi H]
 *
 * Issue one bpf(2) call through glibc syscall() with a zeroed attr and print
 * its outcome on one line: "ok <ret>" or "err <ERRNAME>". --fd puts N where
 * the command reads its fd (offset 36 for the batch commands 24..27, else 0);
 * --cmd-hi sets the upper 32 bits of the cmd register, which the kernel
 * ignores (cmd is an int).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned char attr[168];
	long cmd, fd = 0, size = 56, hi = 0, ret;
	int null_attr = 0, i;
	int32_t fd32;

	if (argc < 2 || parse_long(argv[1], &cmd) < 0)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--null-attr")) {
			null_attr = 1;
		} else if (i + 1 < argc && !strcmp(argv[i], "--fd")) {
			if (parse_long(argv[++i], &fd) < 0)
				goto usage;
		} else if (i + 1 < argc && !strcmp(argv[i], "--size")) {
			if (parse_long(argv[++i], &size) < 0 || size < 0 ||
			    size > (long)sizeof(attr))
				goto usage;
		} else if (i + 1 < argc && !strcmp(argv[i], "--cmd-hi")) {
			if (parse_long(argv[++i], &hi) < 0)
				goto usage;
		} else {
			goto usage;
		}
	}

	memset(attr, 0, sizeof(attr));
	fd32 = (int32_t)fd;
	memcpy(attr + (cmd >= 24 && cmd <= 27 ? 36 : 0), &fd32, sizeof(fd32));
	ret = syscall(SYS_bpf, (long)(((unsigned long)hi << 32) | (uint32_t)cmd),
		      null_attr ? NULL : attr, size);
	if (ret < 0)
		printf("err %s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	else
		printf("ok %ld\n", ret);
	return 0;

usage:
	fprintf(stderr, "usage: bpfcmd CMD [--fd N] [--size S] [--null-attr] [--cmd-hi H]\n");
	return 2;
}
