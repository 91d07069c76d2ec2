/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Bad target pointers: the kernel fails at the first byte it cannot reach,
 * after the checks that come before. To get the same order and count for
 * free, a target buffer that cannot be read is replaced by a local pointer
 * into a never-mapped reservation, and the core (or the kernel, on the native
 * path) faults on it exactly where it would have faulted on the target's.
 * A key/value array readable only up to element k is served as k elements
 * and answered with EFAULT and count = applied, as the kernel's loop does.
 * Output buffers are checked on the way back, in the kernel's write order,
 * or before the call where a fault after the fact would lose elements
 * (tc_lookup.c). This file: the attr, the map fd, and the steps every
 * command shares.
 */
#include "supervisor/target_call.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/dispatch.h"
#include "platform/uapi.h"
#include "supervisor/tc_private.h"

#define BAD_BYTES (1u << 20)   /* larger than any key, value or token */
#define COUNT_OFF offsetof(struct bb_batch_attr, count)

static void *bad_ptr;
static int not_map_fd = -1; /* open, but not a map: the core answers EINVAL */

int tc_init(void)
{
	bad_ptr = mmap(NULL, BAD_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (bad_ptr == MAP_FAILED)
		return -errno;
	/* Not a file: an empty root (a scratch image) has no /dev/null. */
	not_map_fd = eventfd(0, EFD_CLOEXEC);
	return not_map_fd < 0 ? -errno : 0;
}

void *tc_bad(void)
{
	return bad_ptr;
}

/* The attr the core sees: the read-only mirror where the target's is. */
static unsigned char *core_attr(const struct tc_ctx *k)
{
	return k->ro ? k->ro : k->abuf;
}

long tc_run_core(struct tc_ctx *k, uint32_t *count_out)
{
	struct bb_emu_call e = {
		.cmd = k->c->cmd, .uattr = core_attr(k), .size = k->esize, .a = k->a, .m = k->m,
	};
	long r = bb_dispatch_prepared(&e, k->prep);

	memcpy(count_out, core_attr(k) + COUNT_OFF, sizeof(*count_out));
	return r;
}

void tc_set_attr(struct tc_ctx *k, uint64_t in, uint64_t out, uint64_t keys, uint64_t values,
		 uint32_t count)
{
	struct bb_batch_attr a;

	memcpy(&a, k->abuf, sizeof(a));
	a.in_batch = in;
	a.out_batch = out;
	a.keys = keys;
	a.values = values;
	a.count = count;
	memcpy(k->abuf, &a, sizeof(a));
	k->a = a;
	if (k->ro) {
		mprotect(k->ro, BB_PAGE_SIZE, PROT_READ | PROT_WRITE);
		memcpy(k->ro, k->abuf, BB_PAGE_SIZE);
		mprotect(k->ro, BB_PAGE_SIZE, PROT_READ);
	}
}

long tc_put_spans(struct tc_ctx *k, struct tm_span *s, unsigned int n)
{
	int w;

	if (k->c->put)
		return k->c->put(k->c->arg, s, n);
	if (!k->c->still_valid(k->c->arg))
		return TC_GONE;
	w = tm_write(k->c->t->tid, s, n);
	if (w == -ESRCH)
		return TC_GONE;
	return w < 0 ? 0 : w;
}

long tc_put_count(struct tc_ctx *k, uint32_t n)
{
	struct tm_span s = { .local = &n, .remote = k->c->uattr + COUNT_OFF, .len = sizeof(n) };
	long w;

	if (n == k->ta.count)
		return 0;
	w = tc_put_spans(k, &s, 1);
	return w == 1 ? 0 : w == TC_GONE ? TC_GONE : -EFAULT;
}

/*
 * The kernel zeroes count in the caller's attr once its checks pass, so a
 * read-only attr fails there, with EFAULT, before anything is done. Writing
 * the value back tests for that; a read-only local mirror then makes the core
 * fail at the same point. Returns 0, -ENOMEM or TC_GONE.
 */
static long mirror_ro_attr(struct tc_ctx *k)
{
	struct tm_span s = { .local = &k->ta.count, .remote = k->c->uattr + COUNT_OFF,
			     .len = sizeof(uint32_t) };
	long w;
	void *p;

	if (k->ta.count == 0)
		return 0; /* answered before the write */
	w = tc_put_spans(k, &s, 1);
	if (w == TC_GONE)
		return TC_GONE;
	if (w == 1)
		return 0;
	p = mmap(NULL, BB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	k->ro = p;
	memcpy(k->ro, k->abuf, BB_PAGE_SIZE);
	mprotect(k->ro, BB_PAGE_SIZE, PROT_READ);
	return 0;
}

long tc_serve(const struct tc_call *c)
{
	unsigned char abuf[BB_PAGE_SIZE];
	struct tc_ctx k = { .c = c, .abuf = abuf };
	struct tm_span s = { .local = abuf, .remote = c->uattr, .len = c->size };
	struct bb_batch_attr a;
	int fd, map_fd;
	long r;

	if (c->size > BB_PAGE_SIZE)
		return -E2BIG;
	memset(abuf, 0, sizeof(abuf));
	r = tm_read(c->t->tid, &s, 1);
	if (r == -ESRCH)
		return TC_GONE;
	if (r)
		return -EFAULT;
	/* Fields beyond size read as zero: the same as a zero-extended attr. */
	k.esize = c->size > BB_BATCH_ATTR_SIZE ? c->size : BB_BATCH_ATTR_SIZE;
	memcpy(&k.ta, abuf, sizeof(k.ta));

	fd = tf_getfd(c->t, (int)k.ta.map_fd);
	if (fd == -ESRCH)
		return TC_GONE;
	if (fd >= 0)
		map_fd = fd;
	else if (fd == -EBADF)
		map_fd = -1; /* the core answers EBADF, after the attr checks */
	else if (fd == -EINVAL)
		map_fd = not_map_fd;
	else
		return -EINVAL; /* cannot serve: answer as the old kernel would */
	memcpy(&a, abuf, sizeof(a));
	a.map_fd = (uint32_t)map_fd;
	memcpy(abuf, &a, sizeof(a));
	/* The kernel's checks of the attr and the map's facts, once: the
	 * core is handed both (bb_dispatch_prepared) for every run below. */
	k.prep = bb_attr_parse(abuf, k.esize, &k.a);
	r = bb_map_get(map_fd, &k.m);
	k.have_map = fd >= 0 && r == 0;
	if (!k.prep)
		k.prep = r;
	if (k.have_map)
		k.fd_values = bb_maptype_value_fd(k.m.info.type, k.m.info.value_size, &k.vfd);

	/* A plain lookup changes nothing before it writes back, so whether
	 * count can be written is learnt then (tc_lookup.c), one syscall
	 * pair cheaper; the others must know before they act. */
	r = c->cmd == BB_MAP_LOOKUP_BATCH ? 0 : mirror_ro_attr(&k);
	if (!r) {
		if (c->cmd == BB_MAP_LOOKUP_BATCH || c->cmd == BB_MAP_LOOKUP_AND_DELETE_BATCH)
			r = tc_lookup(&k);
		else
			r = tc_modify(&k);
	}
	if (k.ro)
		munmap(k.ro, BB_PAGE_SIZE);
	if (fd >= 0)
		close(fd);
	return r;
}
