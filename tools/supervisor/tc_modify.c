/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/uapi.h"
#include "supervisor/tc_private.h"

#define CHUNK_BYTES (1u << 20) /* local buffer bound for UPDATE/DELETE */

/*
 * Stands in for an fd the target does not hold: within every range check
 * the kernel makes on a value's fd (sockmaps refuse fds above S32_MAX with
 * EINVAL before looking), and never open anywhere (fs.nr_open is at most
 * INT_MAX rounded down to a multiple of 64), so the kernel answers as it
 * would have for the target: EBADF, or what the type makes of it (devmap,
 * cpumap: EINVAL; see test/supervisor/client_fds.c).
 */
#define FD_NOT_HELD ((uint32_t)INT32_MAX)

static void close_fds(int *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Take the target's fds in @n UPDATE values over; @fds receives ours to
 * close. Fds are the target's, so they are taken over like the map fd,
 * never looked up in the supervisor's own fd table. */
static long take_fd_values(struct tc_ctx *k, unsigned char *vals, uint32_t n, int *fds)
{
	for (uint32_t i = 0; i < n; i++) {
		unsigned char *v = vals + (size_t)i * k->m.value_stride + k->vfd.offset;
		uint32_t tfd;
		int nfd;

		fds[i] = -1;
		memcpy(&tfd, v, sizeof(tfd));
		/* A negative fd names nothing in any process, and devmap and
		 * cpumap read 0 as "no program": the value means the same to
		 * the kernel in our hands. */
		if ((int32_t)tfd < 0 || (k->vfd.positive_only && tfd == 0))
			continue;
		nfd = tf_getfd(k->c->t, (int)tfd);
		if (nfd == -ESRCH)
			return TC_GONE;
		/* Held by the target but out of our reach (no pidfd_getfd
		 * before 5.6, and not a map to reopen by id): the call cannot
		 * be served, which the old kernel says with EINVAL. */
		if (nfd < 0 && nfd != -EBADF) {
			close_fds(fds, i);
			return -EINVAL;
		}
		fds[i] = nfd;
		tfd = nfd < 0 ? FD_NOT_HELD : (uint32_t)nfd;
		memcpy(v, &tfd, sizeof(tfd));
	}
	return 0;
}


/*
 * UPDATE and DELETE: keys (and values) are read in chunks of bounded size,
 * each served as one batch of the elements readable in full; the kernel's
 * loop would stop at the first unreadable one with EFAULT and count =
 * applied, which is what the target is told. Only count is written back.
 */
long tc_modify(struct tc_ctx *k)
{
	const struct bb_batch_attr *ta = &k->ta;
	bool upd = k->c->cmd == BB_MAP_UPDATE_BATCH;
	bool fdv = upd && k->have_map && k->fd_values;
	uint32_t ks = k->m.info.key_size, stride = upd ? k->m.value_stride : 0;
	uint64_t per = (uint64_t)ks + stride, chunk, left = ta->count, done = 0;
	unsigned char *buf;
	int *fds = NULL;
	long r = 0, w;
	bool first = true;
	uint32_t n;

	if (!k->have_map || ta->count == 0 || per == 0) {
		/* The checks answer (a bad fd, count == 0, ...); should the
		 * command go on, it faults at once, as the kernel would here. */
		tc_set_attr(k, 0, 0, tc_ptr(tc_bad()), tc_ptr(tc_bad()), ta->count);
		r = tc_run_core(k, &n);
		if (r < 0 && n == ta->count)
			return r;
		w = tc_put_count(k, n);
		return w ? w : r;
	}
	chunk = CHUNK_BYTES / per;
	if (!chunk)
		chunk = 1;
	if (chunk > left)
		chunk = left;
	buf = malloc((size_t)(chunk * per));
	if (fdv)
		fds = malloc(sizeof(*fds) * (size_t)chunk);
	if (!buf || (fdv && !fds)) {
		free(buf);
		free(fds);
		return -ENOMEM;
	}
	while (left) {
		uint64_t cn = left < chunk ? left : chunk, kk;
		struct tm_span s[2] = {
			{ .local = buf, .remote = ta->keys + done * ks, .len = (size_t)(cn * ks) },
			{ .local = buf + cn * ks, .remote = ta->values + done * stride,
			  .len = (size_t)(cn * stride) },
		};

		w = tm_read(k->c->t->tid, s, 2);
		if (w == -ESRCH) {
			r = TC_GONE;
			goto out;
		}
		/* Keys of size 0 (queues, stacks, ...) are all there. */
		kk = ks ? s[0].done / ks : cn;
		if (stride && s[1].done / stride < kk)
			kk = s[1].done / stride;
		if (fdv) {
			r = take_fd_values(k, buf + cn * ks, (uint32_t)kk, fds);
			if (r)
				goto out;
		}
		tc_set_attr(k, 0, 0, tc_ptr(buf), tc_ptr(buf + cn * ks), (uint32_t)kk);
		r = tc_run_core(k, &n);
		if (fdv)
			close_fds(fds, (uint32_t)kk);
		if (r < 0 && n == kk) {
			/* Refused by the checks: count untouched. */
			if (first)
				goto out;
			break;
		}
		done += n;
		if (r < 0)
			break;
		if (kk < cn) {
			r = -EFAULT;
			break;
		}
		left -= cn;
		first = false;
	}
	w = tc_put_count(k, (uint32_t)done);
	if (w)
		r = w;
out:
	free(buf);
	free(fds);
	return r;
}

