/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

ssize_t bb_read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return n;
}
