/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the two halves of acceleration share: one element command as read
 * from the caller's attr, and the way to the kernel. accel.c takes the
 * commands in and handles writes; accel_read.c answers the reads
 * (GET_NEXT_KEY, LOOKUP_ELEM) of a walk.
 */
#ifndef BB_ACCEL_ELEM_H
#define BB_ACCEL_ELEM_H

#include <stdbool.h>
#include <stdint.h>

#include "accel/accel_walk.h"
#include "platform/raw.h"
#include "platform/uapi.h"

struct accel_elem {
	int cmd;
	void *uattr;
	unsigned int size;
	int fd;
	void *key;
	void *val; /* next_key for GET_NEXT_KEY */
	uint64_t flags;
	uint64_t now;
};

/* The caller's own call, as it is: the kernel's answer stands. */
static inline long accel_raw(int cmd, void *uattr, unsigned int size)
{
	return bb_raw_syscall(__NR_bpf, cmd, (long)uattr, size, 0, 0, 0);
}

static inline long accel_kernel(const struct accel_elem *e)
{
	return accel_raw(e->cmd, e->uattr, e->size);
}

/* Reads of a walk (accel_read.c). */
long accel_get_next_key(const struct accel_elem *e);
long accel_lookup(const struct accel_elem *e);

/* Successor memory, shared with the write side. */
bool accel_successor_type(uint32_t type);
bool accel_successor_fresh(const struct bb_walk *w, uint64_t now);

/* Map fds found to be of a type acceleration leaves alone (accel.c). */
void accel_set_plain_fd(int fd, bool plain);

#endif
