/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/fdinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool field(const char *text, const char *name, uint32_t *out)
{
	const char *p = strstr(text, name);

	if (!p || (p != text && p[-1] != '\n'))
		return false;
	*out = (uint32_t)strtoul(p + strlen(name), NULL, 0);
	return true;
}

long bb_fdinfo_read(int fd, struct bb_map_info *info)
{
	char path[64], text[1024];
	ssize_t n;
	int f;

	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -EBADF;
	n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n <= 0)
		return -EBADF;
	text[n] = '\0';

	memset(info, 0, sizeof(*info));
	if (!field(text, "map_type:", &info->type))
		return -EINVAL;
	field(text, "key_size:", &info->key_size);
	field(text, "value_size:", &info->value_size);
	field(text, "max_entries:", &info->max_entries);
	field(text, "map_flags:", &info->map_flags);
	/* No ids before 4.13: a stand-in from what does identify the map here,
	 * so that a cursor is not resumed on another map. */
	if (!field(text, "map_id:", &info->id) || !info->id)
		info->id = 0x80000000U ^ ((uint32_t)fd * 2654435761U) ^ (info->type << 24) ^
			   (info->key_size << 16) ^ info->value_size ^ (info->max_entries << 8);
	return 0;
}
