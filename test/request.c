/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "request.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096u

static bool has_data(uint32_t kind)
{
	return kind == RQ_VALID || kind == RQ_RDONLY;
}

size_t rq_data_len(const struct rq_hdr *h)
{
	size_t n = 0;

	for (int i = 0; i < RQ_NBUF; i++)
		if (has_data(h->buf[i].kind))
			n += h->buf[i].len;
	return n;
}

struct region {
	void *base;
	size_t size;
};

/* Writable regions are kept per slot (buffer index, or RQ_NBUF for the attr)
 * and thread, and reused while large enough: a call then costs no mmap,
 * mprotect or munmap (the fuzzer makes hundreds of thousands). */
static __thread struct region cache[RQ_NBUF + 1];

static void *reuse(int slot, size_t pages, size_t len, const void *data)
{
	struct region *c = &cache[slot];
	uint8_t *p;

	if (c->base && c->size < (pages + 1) * PAGE) {
		munmap(c->base, c->size);
		c->base = NULL;
	}
	if (!c->base) {
		c->size = (pages + 1) * PAGE;
		c->base = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (c->base == MAP_FAILED) {
			c->base = NULL;
			return NULL;
		}
		mprotect((uint8_t *)c->base + c->size - PAGE, PAGE, PROT_NONE);
	}
	p = (uint8_t *)c->base + c->size - PAGE;
	memcpy(p - len, data, len);
	return p - len;
}

/* len bytes that end exactly where an inaccessible guard page starts, so any
 * access beyond the buffer faults (EFAULT from the kernel, or a crash). A
 * region that is (or will be made) read-only is mapped for this call only
 * (r->base set); a writable one comes from the slot's cache. */
static void *guarded(int slot, struct region *r, size_t len, bool rdonly, bool own,
		     const void *data)
{
	size_t pages = (len + PAGE - 1) / PAGE;
	uint8_t *p;

	if (!pages)
		pages = 1;
	if (!rdonly && !own)
		return reuse(slot, pages, len, data);
	r->size = (pages + 1) * PAGE;
	r->base = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->base == MAP_FAILED) {
		r->base = NULL;
		return NULL;
	}
	p = (uint8_t *)r->base + pages * PAGE;
	mprotect(p, PAGE, PROT_NONE);
	memcpy(p - len, data, len);
	if (rdonly)
		mprotect(r->base, pages * PAGE, PROT_READ);
	return p - len;
}

static void *unmapped_address(void)
{
	void *p = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return (void *)(uintptr_t)0x10;	/* also never mapped */
	munmap(p, 16 * PAGE);
	return (uint8_t *)p + 8 * PAGE;
}

size_t rq_exec(const void *msg, size_t len, int fd, void *out, size_t cap)
{
	return rq_exec_with(msg, len, fd, out, cap, NULL);
}

size_t rq_exec_with(const void *msg, size_t len, int fd, void *out, size_t cap, rq_bpf_fn fn)
{
	const struct rq_hdr *h = msg;
	const uint8_t *data = (const uint8_t *)msg + sizeof(*h);
	struct rs_hdr *rs = out;
	uint8_t *od = (uint8_t *)out + sizeof(*rs);
	struct region reg[RQ_NBUF] = { 0 }, areg = { 0 };
	uint8_t *ptr[RQ_NBUF] = { 0 };
	uint8_t image[RQ_ATTR_MAX];
	uint8_t *attr = NULL;
	uint64_t v;
	size_t o = 0, need;
	bool unmapped = false;
	long ret;
	int err, closed = -1;

	memset(rs, 0, sizeof(*rs));
	need = sizeof(*rs) + rq_data_len(h);
	if (len < sizeof(*h) || len != sizeof(*h) + rq_data_len(h) || cap < need ||
	    h->attr_size > RQ_ATTR_MAX) {
		rs->ret = -1;
		rs->err = EPROTO;
		return sizeof(*rs);
	}

	memcpy(image, h->attr, sizeof(image));
	for (int i = 0; i < RQ_NBUF; i++) {
		const struct rq_buf *b = &h->buf[i];

		switch (b->kind) {
		case RQ_VALID:
		case RQ_RDONLY:
			ptr[i] = guarded(i, &reg[i], b->len, b->kind == RQ_RDONLY, false, data + o);
			o += b->len;
			v = (uintptr_t)ptr[i];
			break;
		case RQ_LITERAL:
			v = b->literal;
			break;
		case RQ_UNMAPPED:
			unmapped = true;
			v = 0;	/* filled in last, see below */
			break;
		default:
			v = 0;
			break;
		}
		memcpy(image + 8 * i, &v, 8);
	}

	if (h->fd_kind == RQ_FD_MAP) {
		memcpy(image + 36, &fd, 4);
	} else if (h->fd_kind == RQ_FD_CLOSED) {
		closed = dup(0);
		if (closed >= 0)
			close(closed);
		memcpy(image + 36, &closed, 4);
	}

	if (h->attr_kind != RQ_ATTR_NULL) {
		attr = guarded(RQ_NBUF, &areg, h->attr_size ? h->attr_size : 1, false,
			       h->attr_kind == RQ_ATTR_RDONLY, image);
		if (!attr) {
			rs->ret = -1;
			rs->err = ENOMEM;
			goto out;
		}
	}

	/* Unmapped addresses are taken last, so no buffer lands on them. */
	if (unmapped) {
		for (int i = 0; i < RQ_NBUF; i++) {
			if (h->buf[i].kind != RQ_UNMAPPED)
				continue;
			v = (uintptr_t)unmapped_address();
			memcpy(image + 8 * i, &v, 8);
			if (attr && 8 * (size_t)i + 8 <= h->attr_size)
				memcpy(attr + 8 * i, &v, 8);
		}
	}
	if (attr && h->attr_kind == RQ_ATTR_RDONLY)
		mprotect((void *)((uintptr_t)attr & ~(uintptr_t)(PAGE - 1)),
			 ((uintptr_t)attr & (PAGE - 1)) + h->attr_size, PROT_READ);

	errno = 0;
	if (fn)
		ret = fn((int)h->cmd, attr, (unsigned int)h->attr_size);
	else
		ret = syscall(__NR_bpf, (int)h->cmd, attr, (unsigned int)h->attr_size);
	err = ret < 0 ? errno : 0;

	rs->ret = (int32_t)ret;
	rs->err = err;
	if (attr && h->attr_size >= 36)
		memcpy(&rs->count, attr + 32, 4);
	else
		memcpy(&rs->count, image + 32, 4);

	for (int i = 0; i < RQ_NBUF; i++) {
		if (!has_data(h->buf[i].kind))
			continue;
		rs->len[i] = h->buf[i].len;
		memcpy(od, ptr[i], h->buf[i].len);
		od += h->buf[i].len;
	}
out:
	for (int i = 0; i < RQ_NBUF; i++)
		if (reg[i].base)
			munmap(reg[i].base, reg[i].size);
	if (areg.base)
		munmap(areg.base, areg.size);
	return (size_t)(od - (uint8_t *)out);
}
