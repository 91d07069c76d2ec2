/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Which walks a write touches: those on the fd it goes through, and those on
 * any other fd of the same map (a map opened twice, or by id, as bpftool
 * does). The map behind a second fd is asked of the kernel once and kept for
 * BB_SUCC_TTL_NS, the longest anything served from memory lives, so that a
 * process writing one map while it walks another pays one OBJ_GET_INFO per
 * fd and period, not one per write.
 */
#include "accel/accel_clock.h"
#include "accel/accel_walk.h"
#include "core/mapinfo.h"
#include "platform/stats.h"

#define CACHED_FDS 1024

/* Guarded by the walk table's lock, like everything in accel_walk.h. */
static struct {
	uint32_t id; /* 0: not a map */
	uint64_t until;
} ids[CACHED_FDS];

static uint32_t map_id(int fd, uint64_t now)
{
	struct bb_map m;
	uint32_t id;

	if (fd >= 0 && fd < CACHED_FDS && ids[fd].until && now < ids[fd].until)
		return ids[fd].id;
	id = bb_map_get(fd, &m) == 0 ? m.info.id : 0;
	bb_stat_add(BB_STAT_ACCEL_EXTRA, 1);
	if (fd >= 0 && fd < CACHED_FDS) {
		ids[fd].id = id;
		ids[fd].until = now + bb_clock_within(BB_SUCC_TTL_NS);
	}
	return id;
}

void bb_fd_map_forget(int fd)
{
	if (fd >= 0 && fd < CACHED_FDS)
		ids[fd].until = 0;
}

struct bb_walk *bb_walk_next_touched(struct bb_walk *after, struct bb_touch *t)
{
	for (struct bb_walk *w = bb_walk_next_any(after); w; w = bb_walk_next_any(w)) {
		if (w->fd == t->fd)
			return w;
		if (!t->asked) {
			t->id = map_id(t->fd, t->now);
			t->asked = true;
		}
		if (t->id && w->map_id == t->id)
			return w;
	}
	return NULL;
}
