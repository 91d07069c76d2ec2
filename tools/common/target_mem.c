/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "common/target_mem.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/uio.h>
#include <unistd.h>

#define TM_MAX_SPANS 8
#define TM_PAGE 4096u
#define TM_PROBES 256 /* pages probed per syscall pair */

/* Bytes moved by one process_vm_* call, or -errno. */
static long vm_rw(pid_t pid, struct tm_span *s, unsigned int n, int write)
{
	struct iovec l[TM_MAX_SPANS], r[TM_MAX_SPANS];
	unsigned int i, k = 0;
	ssize_t got;

	for (i = 0; i < n && k < TM_MAX_SPANS; i++) {
		if (!s[i].len)
			continue;
		l[k].iov_base = s[i].local;
		l[k].iov_len = s[i].len;
		r[k].iov_base = (void *)(uintptr_t)s[i].remote;
		r[k].iov_len = s[i].len;
		k++;
	}
	if (!k)
		return 0;
	got = write ? process_vm_writev(pid, l, k, r, k, 0) : process_vm_readv(pid, l, k, r, k, 0);
	return got < 0 ? -errno : got;
}

/* Spread @total transferred bytes over the spans, in order. */
static void account(struct tm_span *s, unsigned int n, size_t total)
{
	for (unsigned int i = 0; i < n; i++) {
		s[i].done = total < s[i].len ? total : s[i].len;
		total -= s[i].done;
	}
}

/*
 * Extend a short read page by page. The kernel stops a transfer at the first
 * page it cannot reach but documents only iovec granularity, so the prefix
 * is re-probed in page-sized pieces to be exact whichever it does. Only the
 * error path comes here.
 */
static int read_prefix(pid_t pid, struct tm_span *s)
{
	while (s->done < s->len) {
		uint64_t at = s->remote + s->done;
		size_t chunk = TM_PAGE - (size_t)(at % TM_PAGE);
		struct tm_span piece = {
			.local = (char *)s->local + s->done,
			.remote = at,
		};
		long got;

		if (chunk > s->len - s->done)
			chunk = s->len - s->done;
		piece.len = chunk;
		got = vm_rw(pid, &piece, 1, 0);
		if (got == -EFAULT || got == 0)
			return 0;
		if (got < 0)
			return (int)got;
		s->done += (size_t)got;
		if ((size_t)got < chunk)
			return 0;
	}
	return 0;
}

int tm_read(pid_t pid, struct tm_span *s, unsigned int n)
{
	size_t want = 0;
	unsigned int i;
	long got;
	int short_read = 0, r;

	for (i = 0; i < n; i++) {
		s[i].done = 0;
		want += s[i].len;
	}
	if (n <= TM_MAX_SPANS) {
		got = vm_rw(pid, s, n, 0);
		if (got < 0 && got != -EFAULT)
			return (int)got;
		if (got == (long)want) {
			account(s, n, want);
			return 0;
		}
	}
	/* Some range is bad: find each span's readable prefix on its own. */
	for (i = 0; i < n; i++) {
		s[i].done = 0;
		r = read_prefix(pid, &s[i]);
		if (r < 0)
			return r;
		if (s[i].done < s[i].len)
			short_read = 1;
	}
	return short_read;
}

int tm_write(pid_t pid, struct tm_span *s, unsigned int n)
{
	size_t want = 0;
	unsigned int i;
	long got;

	for (i = 0; i < n; i++)
		want += s[i].len;
	if (n > TM_MAX_SPANS)
		return -EINVAL;
	got = vm_rw(pid, s, n, 1);
	if (got == -EFAULT)
		got = 0;
	if (got < 0)
		return (int)got;
	account(s, n, (size_t)got);
	for (i = 0; i < n; i++)
		if (s[i].done < s[i].len)
			return (int)i;
	return (int)n;
}

/* The first of @k probe addresses @at[] that cannot be written, or @k. */
static long probe_pages(pid_t pid, const uint64_t *at, unsigned int k)
{
	struct iovec l[TM_PROBES], r[TM_PROBES];
	unsigned char byte[TM_PROBES];
	ssize_t got, put;

	for (unsigned int i = 0; i < k; i++) {
		l[i] = (struct iovec){ &byte[i], 1 };
		r[i] = (struct iovec){ (void *)(uintptr_t)at[i], 1 };
	}
	/* Transfers stop at the first iovec that faults, so each count is a
	 * prefix of the probes. */
	got = process_vm_readv(pid, l, k, r, k, 0);
	if (got < 0)
		return errno == EFAULT ? 0 : -errno;
	if (!got)
		return 0;
	put = process_vm_writev(pid, l, (unsigned long)got, r, (unsigned long)got, 0);
	if (put < 0)
		return errno == EFAULT ? 0 : -errno;
	return put;
}

int tm_writable(pid_t pid, struct tm_span *s, unsigned int n)
{
	uint64_t at[TM_PROBES];

	for (unsigned int i = 0; i < n; i++) {
		uint64_t a = s[i].remote, end = s[i].remote + s[i].len;
		bool short_prefix = false;

		s[i].done = 0;
		if (end < a)
			end = UINT64_MAX; /* wraps: it fails somewhere on the way */
		while (a < end && !short_prefix) {
			unsigned int k = 0;
			long ok;

			/* The range's first byte, then the first byte of each
			 * following page. */
			for (; a < end && k < TM_PROBES; k++) {
				at[k] = a;
				a = (a & ~(uint64_t)(TM_PAGE - 1)) + TM_PAGE;
				if (!a)
					a = end; /* the last page of the address space */
			}
			ok = probe_pages(pid, at, k);
			if (ok < 0)
				return (int)ok;
			if ((unsigned long)ok < k) {
				s[i].done = (size_t)(at[ok] - s[i].remote);
				short_prefix = true;
			}
		}
		if (!short_prefix)
			s[i].done = s[i].len;
	}
	return 0;
}
