/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/native_call.h"

#include <errno.h>
#include <unistd.h>

#include "common/target_mem.h"
#include "core/dispatch.h"
#include "core/kprobe.h"
#include "core/mapinfo.h"
#include "platform/state.h"
#include "platform/uapi.h"

/* Types the kernel was seen to serve, per batch command (its refusals are
 * dispatch's own memory, bb_type_mark_unsupported). The supervisor is one
 * thread. */
static bool served[BB_MAP_TYPE_COUNT][4];

/* The kernel's answer for batch @cmd on maps of @type, the map being @fd. */
static long kernel_answer(int fd, uint32_t type, int cmd)
{
	bool known = type < BB_MAP_TYPE_COUNT;
	long r;

	if (known && served[type][cmd - BB_MAP_LOOKUP_BATCH])
		return 0;
	r = bb_kprobe_batch_op(fd, cmd);
	if (r == 0 && known)
		served[type][cmd - BB_MAP_LOOKUP_BATCH] = true;
	else if (r == -BB_ENOTSUPP || r == -EOPNOTSUPP)
		bb_type_mark_unsupported(type, cmd);
	return r;
}

bool nc_kernel_serves(struct tf_target *t, int cmd, uint64_t uattr, unsigned int size)
{
	struct bb_batch_attr a;
	struct tm_span s = { .local = &a, .remote = uattr, .len = sizeof(a) };
	struct bb_map m;
	bool native = false;
	int fd;

	/* Before 5.6 nothing is native; a short attr is the serving's to
	 * check. */
	if (!bb_kprobe_batch_cmds() || size < sizeof(a))
		return false;
	if (tm_read(t->tid, &s, 1) != 0)
		return false;
	fd = tf_getfd(t, (int)a.map_fd);
	if (fd < 0)
		return false;
	if (bb_map_get(fd, &m) == 0) {
		long kernel = kernel_answer(fd, m.info.type, cmd);

		native = bb_dispatch_route(m.info.type, cmd, kernel).path == BB_PATH_NATIVE;
	}
	close(fd);
	return native;
}
