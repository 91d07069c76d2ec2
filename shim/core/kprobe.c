/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/kprobe.h"

#include <errno.h>
#include <string.h>

#include "platform/raw.h"
#include "platform/uapi.h"

/* A batch command on fd -1 is EBADF where the kernel knows the command and
 * EINVAL (unknown command) where it does not; anything else (a seccomp or LSM
 * policy) is taken as "no", so the emulation serves the call. */
bool bb_kprobe_batch_cmds(void)
{
	enum bb_tri t = bb_feature_get(BB_FEAT_BATCH_CMDS);
	struct bb_batch_attr a;
	bool yes;

	if (t != BB_TRI_UNKNOWN)
		return t == BB_TRI_YES;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)-1;
	yes = bb_raw_bpf(BB_MAP_LOOKUP_BATCH, &a, sizeof(a)) == -EBADF;
	bb_feature_set(BB_FEAT_BATCH_CMDS, yes);
	return yes;
}

/* OBJ_GET_INFO_BY_FD is EBADF on fd -1 where the kernel knows it (4.13+). */
bool bb_kprobe_obj_info(void)
{
	enum bb_tri t = bb_feature_get(BB_FEAT_OBJ_INFO);
	struct bb_map_info info;

	if (t == BB_TRI_UNKNOWN) {
		long r = bb_raw_map_info(-1, &info);

		/* It says EBADFD for a bad fd where map commands say EBADF. */
		t = (r == -EBADF || r == -EBADFD) ? BB_TRI_YES : BB_TRI_NO;
		bb_feature_set(BB_FEAT_OBJ_INFO, t == BB_TRI_YES);
	}
	return t == BB_TRI_YES;
}

long bb_kprobe_batch_op(int fd, int cmd)
{
	struct bb_batch_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	return bb_raw_bpf(cmd, &a, sizeof(a));
}

enum bb_tri bb_kprobe_next_key_null_known(void)
{
	return bb_feature_get(BB_FEAT_GET_NEXT_KEY_NULL);
}

long bb_kprobe_next_key_null(int fd, void *next)
{
	enum bb_tri t = bb_feature_get(BB_FEAT_GET_NEXT_KEY_NULL);
	long r;

	if (t == BB_TRI_NO)
		return BB_KPROBE_LACKS;
	r = bb_raw_map_get_next_key(fd, NULL, next);
	if (t == BB_TRI_UNKNOWN) {
		/* Before 4.12 the kernel copies the NULL key and faults. */
		if (r == -EFAULT) {
			bb_feature_set(BB_FEAT_GET_NEXT_KEY_NULL, false);
			return BB_KPROBE_LACKS;
		}
		if (r == 0 || r == -ENOENT)
			bb_feature_set(BB_FEAT_GET_NEXT_KEY_NULL, true);
	}
	return r;
}

long bb_kprobe_lookup_and_delete_elem(int fd, uint32_t type, const void *key, void *value,
				      uint64_t flags)
{
	enum bb_tri t = bb_type_lookup_and_delete_elem(type);
	long r;

	if (t == BB_TRI_NO)
		return BB_KPROBE_LACKS;
	r = bb_raw_map_lookup_and_delete(fd, key, value, flags);
	if (t == BB_TRI_UNKNOWN) {
		/* Where the type lacks it the kernel says ENOTSUPP (EINVAL
		 * before 4.20) and changes nothing. */
		if (r == -BB_ENOTSUPP || r == -EOPNOTSUPP || r == -EINVAL) {
			bb_type_set_lookup_and_delete_elem(type, false);
			return BB_KPROBE_LACKS;
		}
		if (r == 0 || r == -ENOENT)
			bb_type_set_lookup_and_delete_elem(type, true);
	}
	return r;
}
