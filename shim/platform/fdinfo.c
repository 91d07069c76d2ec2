/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/fdinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/textfile.h"

/* The value of the line that starts with @name ("map_type:"), in @base;
 * false where there is no such line. Matched at line starts only, so
 * "flags:" is never found inside "map_flags:". */
static bool field(const char *text, const char *name, int base, uint32_t *out)
{
	size_t n = strlen(name);
	const char *p = text;

	while (p && strncmp(p, name, n) != 0) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return false;
	*out = (uint32_t)strtoul(p + n, NULL, base);
	return true;
}

long bb_fdinfo_get(pid_t pid, int fd, struct bb_fdinfo *out)
{
	/* A map's fdinfo is some 300 bytes; of other files only the leading
	 * flags line is read. */
	char path[64], text[1024];
	uint32_t v;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -EBADF;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = bb_read_text(path, text, sizeof(text));
	if (n <= 0)
		return n == 0 || n == -ENOENT ? -EBADF : n;

	if (!field(text, "flags:", 8, &out->flags))
		return -EBADF;
	out->is_map = field(text, "map_type:", 0, &out->map.type);
	if (!out->is_map) {
		field(text, "prog_id:", 0, &out->prog_id);
		return 0;
	}
	field(text, "key_size:", 0, &out->map.key_size);
	field(text, "value_size:", 0, &out->map.value_size);
	field(text, "max_entries:", 0, &out->map.max_entries);
	field(text, "map_flags:", 0, &out->map.map_flags);
	field(text, "map_id:", 0, &out->map.id);
	out->frozen = field(text, "frozen:", 0, &v) && v;
	return 0;
}

long bb_fdinfo_read(int fd, struct bb_map_info *info)
{
	struct bb_fdinfo fi;

	if (bb_fdinfo_get(0, fd, &fi))
		return -EBADF;
	if (!fi.is_map)
		return -EINVAL;
	*info = fi.map;
	/* No ids before 4.13: a stand-in from what does identify the map here,
	 * so that a cursor is not resumed on another map. */
	if (!info->id)
		info->id = 0x80000000U ^ ((uint32_t)fd * 2654435761U) ^ (info->type << 24) ^
			   (info->key_size << 16) ^ info->value_size ^ (info->max_entries << 8);
	return 0;
}
