/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel_walk.h"

static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	_Atomic int open; /* walks in use, read without the lock */
	uint64_t now;     /* of the call being served (bb_walk_tick) */
	uint64_t swept;   /* when idle walks were last looked for */
	struct bb_walk slots[BB_WALK_SLOTS];
} t = { .once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER };

/* Set while this thread holds the lock: a signal handler that makes a bpf
 * call then goes straight to the kernel instead of deadlocking. */
static __thread __attribute__((tls_model("initial-exec"))) bool holding;

static void reset(struct bb_walk *w)
{
	if (w->in_use)
		atomic_fetch_sub_explicit(&t.open, 1, memory_order_relaxed);
	bb_win_free(&w->win);
	free(w->cur);
	memset(w, 0, sizeof(*w));
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&t.lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&t.lock);
}

/* The child's fds are copies and its threads are gone: its walks start over. */
static void atfork_child(void)
{
	for (int i = 0; i < BB_WALK_SLOTS; i++)
		reset(&t.slots[i]);
	pthread_mutex_unlock(&t.lock);
}

static void table_init(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

bool bb_walk_lock(void)
{
	if (holding)
		return false;
	pthread_once(&t.once, table_init);
	pthread_mutex_lock(&t.lock);
	holding = true;
	return true;
}

void bb_walk_unlock(void)
{
	holding = false;
	pthread_mutex_unlock(&t.lock);
}

void bb_walk_tick(uint64_t now)
{
	t.now = now;
	if (now - t.swept < BB_WALK_IDLE_NS / 10)
		return;
	t.swept = now;
	for (int i = 0; i < BB_WALK_SLOTS; i++)
		if (t.slots[i].in_use && now - t.slots[i].used_at > BB_WALK_IDLE_NS)
			reset(&t.slots[i]);
}

bool bb_walk_any(void)
{
	return atomic_load_explicit(&t.open, memory_order_relaxed) > 0;
}

struct bb_walk *bb_walk_find(int fd, pthread_t owner)
{
	for (int i = 0; i < BB_WALK_SLOTS; i++) {
		struct bb_walk *w = &t.slots[i];

		if (w->in_use && w->fd == fd && pthread_equal(w->owner, owner)) {
			w->used_at = t.now;
			return w;
		}
	}
	return NULL;
}

struct bb_walk *bb_walk_next_any(struct bb_walk *after)
{
	int i = after ? (int)(after - t.slots) + 1 : 0;

	for (; i < BB_WALK_SLOTS; i++)
		if (t.slots[i].in_use)
			return &t.slots[i];
	return NULL;
}

struct bb_walk *bb_walk_next_on_fd(struct bb_walk *after, int fd)
{
	while ((after = bb_walk_next_any(after)) && after->fd != fd)
		;
	return after;
}

struct bb_walk *bb_walk_open(int fd, uint32_t key_size)
{
	pthread_t self = pthread_self();
	struct bb_walk *w = bb_walk_find(fd, self), *victim = NULL;
	unsigned char *keys;

	for (int i = 0; i < BB_WALK_SLOTS && !w; i++) {
		struct bb_walk *s = &t.slots[i];

		if (!s->in_use)
			w = s;
		else if (!victim || s->used_at < victim->used_at)
			victim = s;
	}
	if (!w)
		w = victim;
	reset(w);
	keys = calloc(5, key_size ? key_size : 1);
	if (!keys)
		return NULL;
	w->in_use = true;
	atomic_fetch_add_explicit(&t.open, 1, memory_order_relaxed);
	w->fd = fd;
	w->owner = self;
	w->key_size = key_size;
	w->cur = keys;
	w->del = keys + key_size;
	w->succ_key = keys + 2 * (size_t)key_size;
	w->arg = keys + 3 * (size_t)key_size;
	w->next = keys + 4 * (size_t)key_size;
	w->used_at = t.now;
	return w;
}

void bb_walk_close(struct bb_walk *w)
{
	reset(w);
}
