/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "core/bulk_cache.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "platform/log.h"
#include "platform/raw.h"
#include "platform/state.h"
#include "platform/stats.h"

#define IDLE_NS ((uint64_t)BB_BULK_IDLE_MS * 1000000ULL)

enum slot_state { S_FREE, S_COLD, S_LOADING, S_READY, S_REFUSED };

struct slot {
	enum slot_state state;
	uint32_t map_id;
	enum bb_bulk_op op;
	uint32_t users;     /* calls holding the program */
	uint64_t elems;     /* S_COLD: elements seen within the idle time */
	uint64_t last_used; /* CLOCK_MONOTONIC ns */
	int fd;             /* S_READY */
	uint32_t prog_id;   /* S_READY: what fd must still be */
	long err;           /* S_REFUSED */
	struct bb_bulk_layout l;
};

/* Everything below is owned by lock. */
static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool closer_running; /* a closer thread is in its loop */
	bool closer_joinable;
	bool stop;           /* the library is going away */
	bool no_thread;      /* a closer could not be started: close at put */
	pthread_t closer;
	struct slot slot[BB_BULK_SLOTS];
} t = { .once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* OBJ_GET_INFO_BY_FD with the first 8 bytes of bpf_prog_info (type, id). */
static uint32_t prog_id(int fd)
{
	struct { uint32_t type, id; } info = { 0, 0 };
	struct bb_info_attr a = { (uint32_t)fd, sizeof(info), (uint64_t)(uintptr_t)&info };

	return bb_raw_bpf(BB_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) == 0 ? info.id : 0;
}

/* Close a kept program, if its fd still is that program. */
static void release_slot(struct slot *s)
{
	if (s->state == S_READY && prog_id(s->fd) == s->prog_id)
		bb_raw_syscall(SYS_close, s->fd, 0, 0, 0, 0, 0);
	memset(s, 0, sizeof(*s));
}

static void init_cond(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t.wake, &ca);
	pthread_condattr_destroy(&ca);
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&t.lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&t.lock);
}

/* The child's program fds are copies nobody will use: close them now (the
 * closer thread is not there to do it); its table starts empty. */
static void atfork_child(void)
{
	for (int i = 0; i < BB_BULK_SLOTS; i++)
		release_slot(&t.slot[i]);
	t.closer_running = t.closer_joinable = t.stop = false;
	init_cond();
	pthread_mutex_unlock(&t.lock);
}

static void cache_init(void)
{
	init_cond();
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* Close what has idled out; the earliest deadline still pending, 0 if none,
 * UINT64_MAX if programs are kept but all in use. */
static uint64_t expire(uint64_t now)
{
	uint64_t next = 0;

	for (int i = 0; i < BB_BULK_SLOTS; i++) {
		struct slot *s = &t.slot[i];

		if (s->state != S_READY)
			continue;
		if (!s->users && now - s->last_used >= IDLE_NS) {
			release_slot(s);
			bb_stat_add(BB_STAT_BULK_CLOSED, 1);
			continue;
		}
		if (!next)
			next = UINT64_MAX;
		if (!s->users && s->last_used + IDLE_NS < next)
			next = s->last_used + IDLE_NS;
	}
	return next;
}

static void *closer_main(void *arg)
{
	pthread_mutex_lock(&t.lock);
	for (;;) {
		uint64_t now = now_ns(), next = expire(now);
		struct timespec ts;

		if (t.stop || !next)
			break;
		if (next == UINT64_MAX)
			next = now + IDLE_NS; /* look again when they may be idle */
		ts.tv_sec = (time_t)(next / 1000000000ULL);
		ts.tv_nsec = (long)(next % 1000000000ULL);
		pthread_cond_timedwait(&t.wake, &t.lock, &ts);
	}
	t.closer_running = false;
	pthread_mutex_unlock(&t.lock);
	return arg;
}

/* With the lock held: a closer thread for the programs kept. Signals are
 * the host's: the thread takes none (glibc keeps its internal ones). */
static void ensure_closer(void)
{
	sigset_t all, old;
	int r;

	if (t.closer_running || t.no_thread || t.stop)
		return;
	if (t.closer_joinable) /* the last one has left its loop: reap it */
		pthread_join(t.closer, NULL);
	t.closer_joinable = false;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t.closer, NULL, closer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		t.no_thread = true;
		bb_log("bulk: no thread to close idle programs (%s): each call loads its own",
		       strerror(r));
		return;
	}
	t.closer_running = t.closer_joinable = true;
}

static struct slot *find(uint32_t map_id, enum bb_bulk_op op)
{
	for (int i = 0; i < BB_BULK_SLOTS; i++)
		if (t.slot[i].state != S_FREE && t.slot[i].map_id == map_id && t.slot[i].op == op)
			return &t.slot[i];
	return NULL;
}

/* A free slot, or the least recently used one nobody holds. */
static struct slot *take_slot(void)
{
	struct slot *lru = NULL;

	for (int i = 0; i < BB_BULK_SLOTS; i++) {
		struct slot *s = &t.slot[i];

		if (s->state == S_FREE)
			return s;
		if (s->users || s->state == S_LOADING)
			continue;
		if (!lru || s->last_used < lru->last_used)
			lru = s;
	}
	if (lru)
		release_slot(lru);
	return lru;
}

static void hand_out(struct slot *s, struct bb_bulk_prog *p)
{
	s->users++;
	p->fd = s->fd;
	p->op = s->op;
	p->l = s->l;
	p->slot = (int)(s - t.slot);
}

/* Verify and load, without the lock: about a millisecond. */
static void load(struct slot *s, const struct bb_map *m, enum bb_bulk_op op,
		 bool (*may_load)(void))
{
	struct bb_bulk_layout l;
	long fd = bb_bulk_layout(op, m->info.key_size, m->info.value_size, &l);
	bool off = false;
	uint32_t id = 0;

	pthread_mutex_unlock(&t.lock);
	if (!fd && !may_load()) {
		fd = -EPERM; /* the path is off: said once, by its self-test */
		off = true;
	}
	if (!fd)
		fd = bb_bulk_prog_load(op, &l, m->fd);
	if (fd >= 0 && !(id = prog_id((int)fd))) {
		bb_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
		fd = -EBADF;
	}
	pthread_mutex_lock(&t.lock);
	if (fd < 0) {
		s->state = S_REFUSED;
		s->err = fd;
		if (!off)
			bb_log("bulk: map %u, program %d refused (%ld): element path", m->info.id,
			       op, fd);
		return;
	}
	s->state = S_READY;
	s->fd = (int)fd;
	s->prog_id = id;
	s->l = l;
}

long bb_bulk_cache_get(const struct bb_map *m, enum bb_bulk_op op, uint32_t elems,
		       bool (*may_load)(void), struct bb_bulk_prog *p)
{
	uint64_t now = now_ns();
	struct slot *s;
	long r = BB_BULK_COLD;

	pthread_once(&t.once, cache_init);
	pthread_mutex_lock(&t.lock);
	s = find(m->info.id, op);
	if (s && s->state != S_LOADING && !s->users && now - s->last_used >= IDLE_NS &&
	    s->state != S_READY)
		memset(s, 0, sizeof(*s)); /* cold or refused long ago: start over */
	if (s && s->state == S_READY && prog_id(s->fd) != s->prog_id)
		memset(s, 0, sizeof(*s)); /* the host closed our fd: not ours to close */
	if (!s || s->state == S_FREE) {
		s = take_slot();
		if (!s)
			goto out;
		s->state = S_COLD;
		s->map_id = m->info.id;
		s->op = op;
	}
	s->last_used = now;
	switch (s->state) {
	case S_COLD:
		s->elems += elems;
		if (s->elems < BB_BULK_WARM_ELEMS && !bb_state_bulk_eager())
			break;
		s->state = S_LOADING;
		load(s, m, op, may_load);
		if (s->state != S_READY) {
			r = s->err;
			break;
		}
		/* fall through */
	case S_READY:
		hand_out(s, p);
		ensure_closer();
		r = 0;
		break;
	case S_REFUSED:
		r = s->err;
		break;
	default: /* another thread is loading it: this call goes without */
		break;
	}
out:
	pthread_mutex_unlock(&t.lock);
	return r;
}

void bb_bulk_cache_put(struct bb_bulk_prog *p)
{
	struct slot *s = &t.slot[p->slot];

	pthread_mutex_lock(&t.lock);
	s->users--;
	s->last_used = now_ns();
	if (t.no_thread && !s->users)
		release_slot(s);
	pthread_mutex_unlock(&t.lock);
	p->fd = -1;
}

void bb_bulk_cache_usage(unsigned int *programs, unsigned int *closers)
{
	unsigned int n = 0;

	pthread_mutex_lock(&t.lock);
	for (int i = 0; i < BB_BULK_SLOTS; i++)
		n += t.slot[i].state == S_READY;
	*programs = n;
	*closers = t.closer_running;
	pthread_mutex_unlock(&t.lock);
}

/* The library is going away (exit, or dlclose of the C API): stop the
 * closer before its code is unmapped and close what is kept. A lock held at
 * this moment (exit() from a signal handler inside the table) is left
 * alone: the process is ending anyway. */
__attribute__((destructor)) static void cache_fini(void)
{
	bool join;

	if (pthread_mutex_trylock(&t.lock))
		return;
	t.stop = true;
	if (t.closer_running)
		pthread_cond_broadcast(&t.wake);
	join = t.closer_joinable;
	t.closer_joinable = false;
	pthread_mutex_unlock(&t.lock);
	if (join)
		pthread_join(t.closer, NULL);
	pthread_mutex_lock(&t.lock);
	for (int i = 0; i < BB_BULK_SLOTS; i++)
		if (!t.slot[i].users && t.slot[i].state != S_LOADING)
			release_slot(&t.slot[i]);
	pthread_mutex_unlock(&t.lock);
}
