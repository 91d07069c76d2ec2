/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Small text files of the kernel's (/proc, /sys): read whole in one call. */
#ifndef BB_TEXTFILE_H
#define BB_TEXTFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Read @path into @buf (at most @size - 1 bytes, NUL-terminated). The
 * length (0: nothing could be read), or -errno of the open. */
ssize_t bb_read_text(const char *path, char *buf, size_t size);

#endif
