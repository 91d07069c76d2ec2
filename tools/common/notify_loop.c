/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "common/notify_loop.h"

#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/linux_abi.h"

int notify_loop_init(struct notify_loop *l)
{
	struct seccomp_notif_sizes sizes;
	size_t at;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return -errno;
	/* The kernel's structs may be larger than our headers' (newer kernel). */
	l->req_size = sizes.seccomp_notif > sizeof(*l->req) ? sizes.seccomp_notif : sizeof(*l->req);
	l->resp_size = sizes.seccomp_notif_resp > sizeof(*l->resp) ? sizes.seccomp_notif_resp
								   : sizeof(*l->resp);
	/* One allocation: the answer after the request, 8-byte aligned. */
	at = (l->req_size + 7) & ~(size_t)7;
	l->req = calloc(1, at + l->resp_size);
	if (!l->req)
		return -ENOMEM;
	l->resp = (struct seccomp_notif_resp *)((char *)l->req + at);
	return 0;
}

void notify_loop_free(struct notify_loop *l)
{
	free(l->req);
	l->req = NULL;
	l->resp = NULL;
}

bool notify_id_valid(int listener, uint64_t id)
{
	/* libseccomp knows the ioctl's number on kernels where it was wrong. */
	return seccomp_notify_id_valid(listener, id) == 0;
}

/* 0, or -ENOENT when the task died or was interrupted meanwhile: nobody
 * waits for the answer any more. */
static int respond(struct notify_loop *l, long r)
{
	struct seccomp_notif_resp *resp = l->resp;

	memset(resp, 0, l->resp_size);
	resp->id = l->req->id;
	if (r == NOTIFY_CONTINUE)
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (r < 0)
		resp->error = (int32_t)r;
	else
		resp->val = r;
	if (ioctl(l->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0)
		return 0;
	if (errno == EINVAL && resp->flags) {
		/* CONTINUE is 5.5+; before that answer as the old kernel. */
		resp->flags = 0;
		resp->error = -EINVAL;
		if (ioctl(l->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0)
			return 0;
	}
	return -errno;
}

/* Take one notification and answer it. 0, or -errno for a broken listener. */
static int serve_one(struct notify_loop *l)
{
	long r;
	int e;

	memset(l->req, 0, l->req_size); /* the kernel insists on a zeroed buffer */
	if (ioctl(l->listener, SECCOMP_IOCTL_NOTIF_RECV, l->req) < 0)
		return errno == EINTR || errno == ENOENT ? 0 : -errno;
	r = l->serve(l->arg, l->req);
	if (r == NOTIFY_DROP)
		return 0;
	e = respond(l, r);
	if (l->sent)
		l->sent(l->arg, l->req, r, e);
	return 0;
}

int notify_loop_run(struct notify_loop *l)
{
	int listener = l->listener;

	for (;;) {
		struct pollfd p[2] = { { listener, POLLIN, 0 }, { l->fd, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((p[1].revents & POLLIN) && l->on_fd)
			l->on_fd(l->arg);
		if (p[0].revents & POLLIN) {
			int r = serve_one(l);

			if (r < 0)
				return r;
			continue;
		}
		if (p[0].revents == POLLHUP && l->no_hup)
			listener = -1; /* such a kernel never wakes us for it again */
		else if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			return 0;
		if (l->stop && l->stop(l->arg))
			return 0;
	}
}
