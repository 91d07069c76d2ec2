/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Walks of the storm client's maps, and the tally that says whether every
 * element came back exactly once with its value. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_util.h" /* batch(), map_create(): raw calls only */
#include "storm_client.h"

int failed;

static uint32_t key_of(uint32_t i)
{
	return i * 2654435761u; /* a bijection: distinct keys spread over the table */
}

static uint64_t value_of(uint32_t key)
{
	return (uint64_t)key * 1000003u + 17;
}

/* One batch call, the attr rebuilt from the same inputs while EINTR says
 * the signal took it back (norestart). */
static long batch_restarting(int cmd, int fd, void *in, void *out, void *keys, void *vals,
			     uint32_t *count)
{
	uint32_t want = *count;
	long r;

	do {
		*count = want;
		r = batch(cmd, fd, in, out, keys, vals, count, 0, 0);
	} while (r == -EINTR);
	return r;
}

/* Keys key_of(base .. base + n - 1). */
void fill(int fd, uint32_t base, uint32_t n)
{
	static _Thread_local uint32_t keys[4096];
	static _Thread_local uint64_t vals[4096];

	for (uint32_t done = 0; done < n;) {
		uint32_t c = n - done < 4096 ? n - done : 4096, want = c;
		long r;

		for (uint32_t i = 0; i < c; i++) {
			keys[i] = key_of(base + done + i);
			vals[i] = value_of(keys[i]);
		}
		r = batch_restarting(BB_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, vals, &c);
		if (r || c != want) {
			printf("fill: r=%ld count=%u of %u\n", r, c, want);
			exit(1);
		}
		done += c;
	}
}

void tally_init(struct tally *t, uint32_t base, uint32_t n)
{
	memset(t, 0, sizeof(*t));
	t->base = base;
	t->n = n;
	t->seen = calloc(n, 1);
	if (!t->seen)
		exit(1);
}

/* key_of() inverted on [base, base + n): the multiplier's inverse mod 2^32. */
int64_t index_of(const struct tally *t, uint32_t key)
{
	uint32_t i = key * 244002641u - t->base;

	return i < t->n ? (int64_t)i : -1;
}

static void tally_add(struct tally *t, const uint32_t *keys, const uint64_t *vals, uint32_t n)
{
	for (uint32_t j = 0; j < n; j++) {
		int64_t i = index_of(t, keys[j]);

		if (i < 0 || vals[j] != value_of(keys[j]))
			t->bad++;
		else if (t->seen[i]++)
			t->dups++;
	}
}

static void tally_end(struct tally *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (!t->seen[i])
			t->lost++;
}

/*
 * A whole walk with @cmd, @bs elements per call, into @t. @report: a pipe
 * the keys returned are written to as they come (the killed walker's), or
 * -1.
 */
void walk(int fd, int cmd, uint32_t bs, struct tally *t, int report)
{
	uint32_t *keys = malloc(sizeof(*keys) * bs), tok = 0, count;
	uint64_t *vals = malloc(sizeof(*vals) * bs);
	long r;

	if (!keys || !vals)
		exit(1);
	for (;;) {
		count = bs;
		r = batch_restarting(cmd, fd, t->calls ? &tok : NULL, &tok, keys, vals, &count);
		t->calls++;
		if (r && r != -ENOENT)
			break;
		tally_add(t, keys, vals, count);
		if (report >= 0 && count &&
		    write(report, keys, sizeof(*keys) * count) != (ssize_t)(sizeof(*keys) * count))
			exit(1);
		if (r == -ENOENT)
			break;
	}
	t->end = r;
	free(keys);
	free(vals);
}

/* Print a walk's result; a failure marks the run. */
void report(const char *what, struct tally *t, uint32_t allowed_lost)
{
	tally_end(t);
	printf("%s: elements=%u calls=%u lost=%u dups=%u badvals=%u end=%ld\n", what, t->n,
	       t->calls, t->lost, t->dups, t->bad, t->end);
	if (t->lost > allowed_lost || t->dups || t->bad || t->end != -ENOENT)
		failed = 1;
	free(t->seen);
}

/* Fill a map with @n keys, walk it, drain it, and check it is empty. */
void walk_and_drain(uint32_t base, uint32_t n, uint32_t bs, const char *who)
{
	int fd = map_create(BB_MAP_TYPE_HASH, n);
	struct tally t;
	char what[64];

	fill(fd, base, n);
	tally_init(&t, base, n);
	walk(fd, BB_MAP_LOOKUP_BATCH, bs, &t, -1);
	snprintf(what, sizeof(what), "%slookup", who);
	report(what, &t, 0);
	tally_init(&t, base, n);
	walk(fd, BB_MAP_LOOKUP_AND_DELETE_BATCH, bs, &t, -1);
	snprintf(what, sizeof(what), "%slookup-and-delete", who);
	report(what, &t, 0);
	tally_init(&t, base, 0);
	walk(fd, BB_MAP_LOOKUP_BATCH, bs, &t, -1);
	if (t.calls != 1 || t.end != -ENOENT || t.bad) {
		printf("%sdrained map not empty\n", who);
		failed = 1;
	}
	free(t.seen);
	close(fd);
}

