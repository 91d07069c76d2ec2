/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Failure records and the short renderings of results they quote. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fail.h"
#include "run.h"

void fz_failf(struct fz_fail *f, uint32_t op, const char *check, const char *fmt, ...)
{
	va_list ap;

	if (f->failed)
		return;
	f->failed = true;
	f->op = op;
	snprintf(f->check, sizeof(f->check), "%s", check);
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

const char *fz_err_name(int err)
{
	static char buf[4][16];
	static int slot;

	switch (err) {
	case 0:
		return "0";
	case ENOENT:
		return "ENOENT";
	case ENOSPC:
		return "ENOSPC";
	case EFAULT:
		return "EFAULT";
	case EINVAL:
		return "EINVAL";
	case E2BIG:
		return "E2BIG";
	case EBADF:
		return "EBADF";
	case EPERM:
		return "EPERM";
	case FZ_ENOTSUPP:
		return "ENOTSUPP(524)";
	default:
		slot = (slot + 1) % 4;
		snprintf(buf[slot], sizeof(buf[slot]), "errno %d", err);
		return buf[slot];
	}
}

const char *fz_res_str(const struct fz_res *res, char *buf, unsigned len)
{
	snprintf(buf, len, "%s count=%u", res->ret < 0 ? fz_err_name(res->err) : "0", res->count);
	return buf;
}

const char *fz_keys_str(const uint32_t *keys, uint32_t n, char *buf, unsigned len)
{
	unsigned o = (unsigned)snprintf(buf, len, "[");

	for (uint32_t i = 0; i < n && o + 16 < len; i++) {
		if (i == 16) {
			o += (unsigned)snprintf(buf + o, len - o, " +%u", n - i);
			break;
		}
		o += (unsigned)snprintf(buf + o, len - o, "%s#%u", i ? " " : "", keys[i]);
	}
	snprintf(buf + o, len - o, "]");
	return buf;
}
