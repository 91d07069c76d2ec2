/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Bad target pointers: the kernel fails at the first byte it cannot reach,
 * after the checks that come before. To get the same order and count for
 * free, a target buffer that cannot be read is replaced by a local pointer
 * into a never-mapped reservation, and the core (or the kernel, on the native
 * path) faults on it exactly where it would have faulted on the target's.
 * A key/value array readable only up to element k is served as k elements
 * and answered with EFAULT and count = applied, as the kernel's loop does.
 * Output buffers are checked on the way back, in the kernel's write order.
 */
#include "supervisor/target_call.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/target_mem.h"
#include "core/attr.h"
#include "core/dispatch.h"
#include "core/mapinfo.h"
#include "core/maptypes.h"
#include "platform/uapi.h"

#define BAD_BYTES (1u << 20)   /* larger than any key, value or token */
#define CHUNK_BYTES (1u << 20) /* local buffer bound for UPDATE/DELETE */
#define COUNT_OFF offsetof(struct bb_batch_attr, count)

static void *bad_ptr;
static int not_map_fd = -1; /* open, but not a map: the core answers EINVAL */

int tc_init(void)
{
	bad_ptr = mmap(NULL, BAD_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (bad_ptr == MAP_FAILED)
		return -errno;
	not_map_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return not_map_fd < 0 ? -errno : 0;
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

struct call {
	const struct tc_call *c;
	unsigned char *abuf;      /* local attr, zero-extended to >= 56 bytes */
	unsigned char *ro;        /* read-only mirror of abuf, or NULL */
	struct bb_batch_attr ta;  /* the target's attr as the kernel reads it */
	struct bb_batch_attr a;   /* the core's: ta with local buffers and our map fd */
	unsigned int esize;
	struct bb_map m;
	bool have_map;
	struct bb_value_fd vfd; /* where UPDATE values carry the target's fds */
	bool fd_values;
	/* What reading the attr and the map's facts gave, for the core: read
	 * once per call here, never again by dispatch. 0 or -errno. */
	long prep;
};

/* The attr the core sees: the read-only mirror where the target's is. */
static unsigned char *core_attr(const struct call *k)
{
	return k->ro ? k->ro : k->abuf;
}

static long run_core(struct call *k, uint32_t *count_out)
{
	struct bb_emu_call e = {
		.cmd = k->c->cmd, .uattr = core_attr(k), .size = k->esize, .a = k->a, .m = k->m,
	};
	long r = bb_dispatch_prepared(&e, k->prep);

	memcpy(count_out, core_attr(k) + COUNT_OFF, sizeof(*count_out));
	return r;
}

/* Point the local attr at local buffers. */
static void set_attr(struct call *k, uint64_t in, uint64_t out, uint64_t keys, uint64_t values,
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

/* Write spans into the target once the notification is known to be live.
 * Returns the number of complete spans, or TC_GONE. */
static long put_spans(struct call *k, struct tm_span *s, unsigned int n)
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

/* The result count, unless the target holds that value already.
 * 0, -EFAULT or TC_GONE. */
static long put_count(struct call *k, uint32_t n)
{
	struct tm_span s = { .local = &n, .remote = k->c->uattr + COUNT_OFF, .len = sizeof(n) };
	long w;

	if (n == k->ta.count)
		return 0;
	w = put_spans(k, &s, 1);
	return w == 1 ? 0 : w == TC_GONE ? TC_GONE : -EFAULT;
}

/*
 * The kernel zeroes count in the caller's attr once its checks pass, so a
 * read-only attr fails there, with EFAULT, before anything is done. Writing
 * the value back tests for that; a read-only local mirror then makes the core
 * fail at the same point. Returns 0, -ENOMEM or TC_GONE.
 */
static long mirror_ro_attr(struct call *k)
{
	struct tm_span s = { .local = &k->ta.count, .remote = k->c->uattr + COUNT_OFF,
			     .len = sizeof(uint32_t) };
	long w;
	void *p;

	if (k->ta.count == 0)
		return 0; /* answered before the write */
	w = put_spans(k, &s, 1);
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

/*
 * LOOKUP and LOOKUP_AND_DELETE. Read: the in token. Written, in the kernel's
 * order: keys and values (a fault there leaves count 0, no token), then for
 * the hash family the token and count (token fault: count 0), for the
 * generic walk count and token (token fault: count stays n).
 */
static long serve_lookup(struct call *k)
{
	const struct bb_batch_attr *ta = &k->ta;
	bool hash = k->have_map && k->m.family == BB_FAM_HASH;
	uint32_t ks = k->m.info.key_size, stride = k->m.value_stride;
	uint32_t tok = k->have_map ? bb_maptype_token_size(k->m.info.type, ks) : 0;
	uint64_t cap = 0, in = 0, out = 0, keys, vals, per;
	unsigned char *buf, *intok, *outtok, *orig;
	struct tm_span s[4];
	bool out_bad = false, written, tok_changed;
	uint32_t n, zero = 0;
	long r, w;
	int f;

	if (k->have_map) {
		/* Never more than max_entries elements come back (an array
		 * that fills count exactly answers 0, hence the + 1): the
		 * bound keeps a huge count from sizing our buffers. */
		cap = ta->count;
		if (cap > (uint64_t)k->m.info.max_entries + 1)
			cap = (uint64_t)k->m.info.max_entries + 1;
	}
	per = (uint64_t)ks + stride;
	if (cap && per > (SIZE_MAX / 2) / cap)
		return -ENOMEM;
	buf = malloc(3 * (size_t)tok + (size_t)(cap * per) + 1);
	if (!buf)
		return -ENOMEM;
	intok = buf;
	outtok = intok + tok;
	orig = outtok + tok;
	keys = cap ? ptr(orig + tok) : ptr(bad_ptr);
	vals = cap ? keys + cap * ks : ptr(bad_ptr);

	memset(s, 0, sizeof(s));
	s[0] = (struct tm_span){ .local = intok, .remote = ta->in_batch,
				 .len = ta->in_batch ? tok : 0 };
	s[1] = (struct tm_span){ .local = outtok, .remote = ta->out_batch,
				 .len = ta->out_batch ? tok : 0 };
	r = tm_read(k->c->t->tid, s, 2);
	if (r == -ESRCH) {
		free(buf);
		return TC_GONE;
	}
	if (ta->in_batch)
		in = tok && s[0].done == tok ? ptr(intok) : ptr(bad_ptr);
	if (ta->out_batch) {
		out_bad = !tok || s[1].done < tok;
		out = out_bad ? ptr(bad_ptr) : ptr(outtok);
		memcpy(orig, outtok, tok);
	}
	set_attr(k, in, out, keys, vals, (uint32_t)cap);
	r = run_core(k, &n);

	/* Did the command get past its checks (and so write count)? */
	written = (r == 0 && ta->count) || r == -ENOENT || n != cap ||
		  (r == -EFAULT && out_bad);
	if (!written || n > cap) {
		free(buf);
		return r;
	}
	tok_changed = ta->out_batch && !out_bad && memcmp(outtok, orig, tok);
	s[0] = (struct tm_span){ .local = (void *)(uintptr_t)keys, .remote = ta->keys,
				 .len = (size_t)n * ks };
	s[1] = (struct tm_span){ .local = (void *)(uintptr_t)vals, .remote = ta->values,
				 .len = (size_t)n * stride };
	s[hash ? 2 : 3] = (struct tm_span){ .local = outtok, .remote = ta->out_batch,
					    .len = tok_changed ? tok : 0 };
	s[hash ? 3 : 2] = (struct tm_span){ .local = &n, .remote = k->c->uattr + COUNT_OFF,
					    .len = n != ta->count ? sizeof(n) : 0 };
	w = put_spans(k, s, 4);
	free(buf);
	if (w == TC_GONE)
		return TC_GONE;
	if (w == 4)
		return r;
	f = (int)w;
	if (f < 2 || (hash && f == 2)) {
		/* count was zeroed before the copy-out that faulted */
		w = put_count(k, zero);
		if (w == TC_GONE)
			return TC_GONE;
	}
	return -EFAULT;
}

/* Take the target's fds in @n UPDATE values over; -1 where it has none
 * (the kernel's EBADF for that element). @fds receives ours to close. Fds
 * are the target's, so they are taken over like the map fd, never looked up
 * in the supervisor's own fd table. */
static long take_fd_values(struct call *k, unsigned char *vals, uint32_t n, int *fds)
{
	for (uint32_t i = 0; i < n; i++) {
		unsigned char *v = vals + (size_t)i * k->m.value_stride + k->vfd.offset;
		uint32_t tfd;
		int nfd;

		fds[i] = -1;
		memcpy(&tfd, v, sizeof(tfd));
		if (k->vfd.positive_only && (int32_t)tfd <= 0)
			continue; /* "no program": nothing to take over */
		nfd = tf_getfd(k->c->t, (int)tfd);
		if (nfd == -ESRCH)
			return TC_GONE;
		fds[i] = nfd;
		/* Not taken over: an fd the kernel refuses as it would the
		 * target's (-1 would mean "no program" where only fd > 0 is one). */
		if (nfd < 0)
			tfd = k->vfd.positive_only ? (uint32_t)INT32_MAX : UINT32_MAX;
		else
			tfd = (uint32_t)nfd;
		memcpy(v, &tfd, sizeof(tfd));
	}
	return 0;
}

static void close_fds(int *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * UPDATE and DELETE: keys (and values) are read in chunks of bounded size,
 * each served as one batch of the elements readable in full; the kernel's
 * loop would stop at the first unreadable one with EFAULT and count =
 * applied, which is what the target is told. Only count is written back.
 */
static long serve_modify(struct call *k)
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
		set_attr(k, 0, 0, ptr(bad_ptr), ptr(bad_ptr), ta->count);
		r = run_core(k, &n);
		if (r < 0 && n == ta->count)
			return r;
		w = put_count(k, n);
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
		kk = s[0].done / ks;
		if (stride && s[1].done / stride < kk)
			kk = s[1].done / stride;
		if (fdv) {
			r = take_fd_values(k, buf + cn * ks, (uint32_t)kk, fds);
			if (r)
				goto out;
		}
		set_attr(k, 0, 0, ptr(buf), ptr(buf + cn * ks), (uint32_t)kk);
		r = run_core(k, &n);
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
	w = put_count(k, (uint32_t)done);
	if (w)
		r = w;
out:
	free(buf);
	free(fds);
	return r;
}

long tc_serve(const struct tc_call *c)
{
	unsigned char abuf[BB_PAGE_SIZE];
	struct call k = { .c = c, .abuf = abuf };
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

	r = mirror_ro_attr(&k);
	if (!r) {
		if (c->cmd == BB_MAP_LOOKUP_BATCH || c->cmd == BB_MAP_LOOKUP_AND_DELETE_BATCH)
			r = serve_lookup(&k);
		else
			r = serve_modify(&k);
	}
	if (k.ro)
		munmap(k.ro, BB_PAGE_SIZE);
	if (fd >= 0)
		close(fd);
	return r;
}
