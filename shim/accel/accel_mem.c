/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "accel/accel_mem.h"

#include <errno.h>
#include <string.h>

#include "accel/accel_clock.h"
#include "accel/accel_walk.h"
#include "platform/mem.h"
#include "platform/stats.h"
#include "platform/uapi.h"

#define SLOTS 8

struct range {
	uintptr_t lo, hi; /* page aligned, [lo, hi) */
	uint64_t expires;
	bool writable;
};

/* Per thread, so no lock: a thread's own proofs are enough for its loops.
 * initial-exec: no __tls_get_addr, so the preload object needs libc alone. */
#define TLS __thread __attribute__((tls_model("initial-exec")))
static TLS struct range ranges[SLOTS];
static TLS unsigned int next_slot;

/* Page bounds of [p, p + len), or false if it wraps. */
static bool page_bounds(const void *p, size_t len, uintptr_t *lo, uintptr_t *hi)
{
	uintptr_t a = (uintptr_t)p, end = a + len;

	if (end < a || end > UINTPTR_MAX - BB_PAGE_SIZE)
		return false;
	*lo = a & ~(uintptr_t)(BB_PAGE_SIZE - 1);
	*hi = (end + BB_PAGE_SIZE - 1) & ~(uintptr_t)(BB_PAGE_SIZE - 1);
	return true;
}

static bool known_good(const void *p, size_t len, bool writable, uint64_t now)
{
	uintptr_t lo, hi;

	if (!page_bounds(p, len, &lo, &hi))
		return false;
	for (unsigned int i = 0; i < SLOTS; i++) {
		const struct range *r = &ranges[i];

		if (r->expires > now && r->lo <= lo && hi <= r->hi && (r->writable || !writable))
			return true;
	}
	return false;
}

void bb_umem_note(const void *p, size_t len, bool writable, uint64_t now)
{
	uintptr_t lo, hi;
	struct range *r;

	if (!len || !page_bounds(p, len, &lo, &hi))
		return;
	/* Refresh a range already held rather than filling the table with it. */
	for (unsigned int i = 0; i < SLOTS; i++) {
		r = &ranges[i];
		if (r->lo == lo && r->hi == hi && (r->writable || !writable)) {
			r->expires = now + bb_clock_within(BB_UMEM_TTL_NS);
			return;
		}
	}
	r = &ranges[next_slot++ % SLOTS];
	*r = (struct range){ .lo = lo, .hi = hi, .expires = now + bb_clock_within(BB_UMEM_TTL_NS),
			     .writable = writable };
}

/* Copy between our buffer and the caller's @user range: directly where it is
 * known good, else through a checked copy that, on success, proves it. */
static int copy(void *dst, const void *src, size_t len, const void *user, bool write,
		uint64_t now)
{
	int r;

	if (!len)
		return 0;
	if (known_good(user, len, write, now)) {
		bb_small_copy(dst, src, len);
		return 0;
	}
	r = write ? bb_mem_write(dst, src, len) : bb_mem_read(dst, src, len);
	bb_stat_add(BB_STAT_ACCEL_EXTRA, 1);
	if (r == 0)
		bb_umem_note(user, len, write, now);
	return r;
}

int bb_umem_read(void *dst, const void *usrc, size_t len, uint64_t now)
{
	return copy(dst, usrc, len, usrc, false, now);
}

int bb_umem_write(void *udst, const void *src, size_t len, uint64_t now)
{
	return copy(udst, src, len, udst, true, now);
}
