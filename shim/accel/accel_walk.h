/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * BPFBATCH_ACCEL's state: one walk per (map fd, thread) that started a
 * GET_NEXT_KEY(NULL) walk, with its position, the successor memory for
 * delete-while-iterating, and the prefetch window. The model these keep is
 * written down in docs/acceleration.md.
 */
#ifndef BB_ACCEL_WALK_H
#define BB_ACCEL_WALK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define BB_WALK_SLOTS 16
#define BB_WIN_FIRST 32               /* first window: a lone GET_NEXT_KEY(NULL) stays cheap */
#define BB_WIN_MAX 4096               /* entries */
#define BB_WIN_MAX_BYTES (256U << 10) /* keys + values, per window */
#define BB_SUCC_TTL_NS 100000000ULL   /* a remembered successor is good for 100 ms */
/* A walk unused this long is closed: by then nothing of it can be served
 * (max age is at most 1 s), and a loop that stopped early must not keep
 * every element command on the slow path. */
#define BB_WALK_IDLE_NS 1000000000ULL

/* Per-entry marks: what this process did to a window's key since the fill. */
#define BB_MARK_DELETED 1U /* GET_NEXT_KEY skips it, LOOKUP goes to the kernel */
#define BB_MARK_STALE 2U   /* updated: LOOKUP goes to the kernel */

enum bb_succ { BB_SUCC_NONE, BB_SUCC_KEY, BB_SUCC_END };

/* A run of the map in the kernel's walk order, read by one LOOKUP_BATCH. */
struct bb_window {
	bool on;          /* serving; off for the rest of the walk once anything fails */
	bool last;        /* the fill reached the end of the map */
	bool from_start;  /* filled with in_batch NULL */
	bool first;       /* before it, only keys this process deleted */
	uint32_t in_tok;  /* in_batch of the fill, when !from_start */
	uint32_t out_tok; /* where the next fill starts */
	uint32_t n, pos;  /* entries; index of the key GET_NEXT_KEY last answered */
	uint32_t cap, want, max;
	uint64_t filled;  /* bb_clock_now(); 0: expired by a batch write */
	uint64_t max_age; /* older than filled + this: not served */
	unsigned char *keys, *vals, *marks;
};

struct bb_walk {
	bool in_use;
	int fd;
	pthread_t owner;
	uint32_t map_id, type, key_size; /* type: enum bpf_map_type */
	uint32_t value_size; /* bytes LOOKUP_ELEM copies (per-CPU: all CPUs) */
	uint64_t used_at;    /* bb_walk_tick time of its last call: LRU and idle */
	bool have_cur;       /* cur holds the key GET_NEXT_KEY last answered */
	bool cur_first;      /* ... and it answered GET_NEXT_KEY(NULL) */
	bool del_first;      /* del was the first key when deleted */
	enum bb_succ succ;   /* after deleting cur: what GET_NEXT_KEY(del) answers */
	uint64_t succ_time;
	/* key_size each, one allocation: the current key, the deleted one, its
	 * successor, the key argument of the call being served, and a successor
	 * being learned. */
	unsigned char *cur, *del, *succ_key, *arg, *next;
	struct bb_window win;
};

/* Keys (and attrs) of a few sizes cover nearly every map: copied and
 * compared inline for those, by libc otherwise. These run on every answer
 * served from memory, where a libc call is a sizeable share. */
static inline void bb_small_copy(void *d, const void *s, size_t n)
{
	switch (n) {
	case 4: memcpy(d, s, 4); break;
	case 8: memcpy(d, s, 8); break;
	case 16: memcpy(d, s, 16); break;
	case 24: memcpy(d, s, 24); break;
	case 32: memcpy(d, s, 32); break;
	default: memcpy(d, s, n); break;
	}
}

static inline bool bb_small_eq(const void *a, const void *b, size_t n)
{
	switch (n) {
	case 4: return memcmp(a, b, 4) == 0;
	case 8: return memcmp(a, b, 8) == 0;
	case 16: return memcmp(a, b, 16) == 0;
	default: return memcmp(a, b, n) == 0;
	}
}

/* The table. Every function below runs with the table locked. */
bool bb_walk_lock(void); /* false: this thread already holds it (a signal handler) */
void bb_walk_unlock(void);
bool bb_walk_any(void); /* without the lock: is any walk open? */
/* First thing after taking the lock for a call: its time, and walks idle
 * longer than BB_WALK_IDLE_NS closed. */
void bb_walk_tick(uint64_t now);
struct bb_walk *bb_walk_find(int fd, pthread_t owner);
struct bb_walk *bb_walk_next_on_fd(struct bb_walk *after, int fd); /* NULL starts */
struct bb_walk *bb_walk_next_any(struct bb_walk *after);            /* NULL starts */
/* A fresh walk for (fd, this thread), replacing the old one or the least
 * recently used; NULL if memory for its keys cannot be had. */
struct bb_walk *bb_walk_open(int fd, uint32_t key_size);
void bb_walk_close(struct bb_walk *w);

/* The walks a write through @fd touches (accel_fdmap.c): on that fd, or on
 * another fd of the same map. */
struct bb_touch {
	int fd;
	uint64_t now;
	bool asked; /* id below is known */
	uint32_t id; /* of the map behind fd; 0: none */
};
struct bb_walk *bb_walk_next_touched(struct bb_walk *after, struct bb_touch *t); /* NULL starts */
/* A number just handed out by bpf(): what it named is not what it names. */
void bb_fd_map_forget(int fd);

/* Windows (accel_window.c). */
void bb_win_init(struct bb_walk *w, bool enable);
/* Fill from the start or from @tok. 0 (entries, or none and last) or the
 * kernel's -errno, after which the window is off. */
long bb_win_fill(struct bb_walk *w, bool from_start, uint32_t tok, uint64_t now);
/* Index of @key among the entries, or -1. */
long bb_win_find(const struct bb_walk *w, const void *key);
/* Next entry after pos that is not deleted, or n. */
uint32_t bb_win_next(const struct bb_walk *w);
void bb_win_free(struct bb_window *x);

#endif
