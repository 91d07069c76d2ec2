/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "supervisor/replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/notify_loop.h"
#include "supervisor/target_call.h"
#include "supervisor/witness.h"

/* Attr bytes compared: the batch attr and a little more. Beyond, a call the
 * kernel accepts has only zeros, and one it refuses with E2BIG changed
 * nothing. */
#define ATTR_CMP 64

enum state {
	FREE,
	SERVING,     /* being served on notification id */
	ANSWERED,    /* its answer is on its way out on notification id */
	SENT,        /* sent: the thread's next call says whether it arrived */
	UNDELIVERED, /* the thread never got it: waiting for the restart */
};

/* A span the serving could not write yet; its bytes at data + off. */
struct kept {
	uint64_t remote;
	size_t len, off;
};

struct replay_call {
	enum state state;
	pid_t tid;
	uint64_t id;
	int cmd;
	uint64_t uattr;
	unsigned int size, alen;
	unsigned char orig[ATTR_CMP]; /* the attr as the thread gave it */
	unsigned char now[ATTR_CMP];  /* ... and as the supervisor left it */
	long r;
	bool countable; /* the witness counts calls of its ABI */
	bool marked;
	uint64_t mark; /* the thread's witness count before the answer went out */
	uint64_t used;
	struct kept *kept;
	unsigned int nkept;
	unsigned char *data;
	size_t dlen;
};

struct thread {
	pid_t tid; /* 0: free */
	struct witness w;
	uint64_t used;
};

struct replay {
	bool witness;
	uint64_t clock;
	size_t kept_bytes;
	struct replay_call calls[REPLAY_CALLS];
	struct thread threads[REPLAY_THREADS];
	struct replay_stats st;
};

struct replay *replay_new(bool witness)
{
	struct replay *rp = calloc(1, sizeof(*rp));

	if (!rp)
		return NULL;
	rp->witness = witness && witness_available();
	for (unsigned int i = 0; i < REPLAY_THREADS; i++)
		rp->threads[i].w.fd = -1;
	return rp;
}

static void call_free(struct replay *rp, struct replay_call *c)
{
	rp->kept_bytes -= c->dlen;
	free(c->kept);
	free(c->data);
	memset(c, 0, sizeof(*c));
}

void replay_free(struct replay *rp)
{
	if (!rp)
		return;
	for (unsigned int i = 0; i < REPLAY_CALLS; i++)
		call_free(rp, &rp->calls[i]);
	for (unsigned int i = 0; i < REPLAY_THREADS; i++)
		witness_close(&rp->threads[i].w);
	free(rp);
}

const struct replay_stats *replay_stats(const struct replay *rp)
{
	return &rp->st;
}

static struct replay_call *find_call(struct replay *rp, pid_t tid, enum state st)
{
	for (unsigned int i = 0; i < REPLAY_CALLS; i++)
		if (rp->calls[i].state == st && rp->calls[i].tid == tid)
			return &rp->calls[i];
	return NULL;
}

static struct thread *find_thread(struct replay *rp, pid_t tid)
{
	for (unsigned int i = 0; i < REPLAY_THREADS; i++)
		if (rp->threads[i].tid == tid)
			return &rp->threads[i];
	return NULL;
}

/* Forget thread @t's witness; an answer it was to judge counts as delivered,
 * there being no way left to tell. */
static void thread_drop(struct replay *rp, struct thread *t)
{
	struct replay_call *c = find_call(rp, t->tid, SENT);

	if (c)
		call_free(rp, c);
	witness_close(&t->w);
	t->tid = 0;
}

/* Thread @tid's entry, with a witness if one can be had. */
static struct thread *get_thread(struct replay *rp, pid_t tid)
{
	struct thread *t = find_thread(rp, tid), *old = NULL;

	if (!t) {
		for (unsigned int i = 0; i < REPLAY_THREADS && !t; i++) {
			if (!rp->threads[i].tid)
				t = &rp->threads[i];
			else if (!old || rp->threads[i].used < old->used)
				old = &rp->threads[i];
		}
		if (!t) {
			thread_drop(rp, old);
			t = old;
		}
		t->tid = tid;
	}
	if (t->w.fd < 0)
		witness_open(&t->w, tid);
	t->used = ++rp->clock;
	return t;
}

/* Before @c's answer goes out: the count its delivery will move. */
static void mark(struct replay *rp, struct replay_call *c)
{
	struct thread *t = rp->witness ? find_thread(rp, c->tid) : NULL;

	c->marked = t && c->countable && witness_read(&t->w, &c->mark) == 0;
}

/* Thread @tid makes a call: did the answer it was sent last arrive? */
static void settle(struct replay *rp, pid_t tid)
{
	struct replay_call *c = find_call(rp, tid, SENT);
	struct thread *t;
	uint64_t n;
	int r;

	if (!c)
		return;
	t = find_thread(rp, tid);
	r = t ? witness_read(&t->w, &n) : -ENOENT;
	if (r == 0 && n == c->mark) {
		if (!witness_same_thread(&t->w)) {
			/* A new thread under an old tid: the old one is gone. */
			thread_drop(rp, t);
			return;
		}
		/* It completed no bpf() since: the answer was dropped. */
		c->state = UNDELIVERED;
		rp->st.dropped++;
		return;
	}
	call_free(rp, c);
}

static bool read_attr(pid_t tid, uint64_t uattr, unsigned char *buf, unsigned int len)
{
	struct tm_span s = { .local = buf, .remote = uattr, .len = len };

	return tm_read(tid, &s, 1) == 0;
}

/* Write what the first serving kept, under notification @id: false if it
 * is gone already (kept for the next restart). A fault is the kernel's
 * EFAULT, and what was written stays written. */
static bool write_kept(struct replay *rp, struct replay_call *c, int listener, uint64_t id)
{
	struct tm_span s[8]; /* tm_write's limit */
	unsigned int i, n = 0;
	int w = 0;

	if (!c->nkept)
		return true;
	if (!notify_id_valid(listener, id))
		return false;
	for (i = 0; i < c->nkept; i += n) {
		n = c->nkept - i < 8 ? c->nkept - i : 8;
		for (unsigned int j = 0; j < n; j++)
			s[j] = (struct tm_span){ .local = c->data + c->kept[i + j].off,
						 .remote = c->kept[i + j].remote,
						 .len = c->kept[i + j].len };
		w = tm_write(c->tid, s, n);
		replay_wrote(c, s, n);
		if (w != (int)n)
			break;
	}
	if (i < c->nkept)
		c->r = -EFAULT;
	rp->kept_bytes -= c->dlen;
	free(c->kept);
	free(c->data);
	c->kept = NULL;
	c->data = NULL;
	c->nkept = 0;
	c->dlen = 0;
	return true;
}

/* A thread that rebuilt its attr after EINTR lost the count written into
 * it: write the attr back as the supervisor left it. False if the
 * notification is gone. */
static bool write_attr(struct replay_call *c, int listener, uint64_t id)
{
	struct tm_span s = { .local = c->now, .remote = c->uattr, .len = c->alen };

	if (!notify_id_valid(listener, id))
		return false;
	if (tm_write(c->tid, &s, 1) != 1)
		c->r = -EFAULT;
	return true;
}

bool replay_find(struct replay *rp, int listener, const struct seccomp_notif *req, long *answer)
{
	pid_t tid = (pid_t)req->pid;
	unsigned char attr[ATTR_CMP];
	struct replay_call *c = NULL;

	settle(rp, tid);
	for (unsigned int i = 0; i < REPLAY_CALLS && !c; i++) {
		struct replay_call *x = &rp->calls[i];

		if (x->state == UNDELIVERED && x->tid == tid &&
		    x->cmd == (int)(uint32_t)req->data.args[0] && x->uattr == req->data.args[1] &&
		    x->size == (unsigned int)req->data.args[2])
			c = x;
	}
	if (!c)
		return false;
	/* The attr as the supervisor left it (a restart) or as the thread
	 * first gave it (a retry after EINTR, rebuilt); else it moved on. */
	if (!read_attr(tid, c->uattr, attr, c->alen) ||
	    (memcmp(attr, c->now, c->alen) && memcmp(attr, c->orig, c->alen))) {
		call_free(rp, c);
		return false;
	}
	c->used = ++rp->clock;
	if (!write_kept(rp, c, listener, req->id) ||
	    (memcmp(attr, c->now, c->alen) && !write_attr(c, listener, req->id))) {
		*answer = NOTIFY_DROP;
		return true;
	}
	c->id = req->id;
	c->state = ANSWERED;
	rp->st.replayed++;
	mark(rp, c);
	*answer = c->r;
	return true;
}

/* A record to reuse: a free one, else the least recently used of those
 * that wait for nothing but their thread. */
static struct replay_call *take_slot(struct replay *rp)
{
	struct replay_call *old = NULL;

	for (unsigned int i = 0; i < REPLAY_CALLS; i++) {
		struct replay_call *c = &rp->calls[i];

		if (c->state == FREE)
			return c;
		if ((c->state == SENT || c->state == UNDELIVERED) && (!old || c->used < old->used))
			old = c;
	}
	if (old && old->state == UNDELIVERED)
		rp->st.lost++;
	if (old)
		call_free(rp, old);
	return old;
}

struct replay_call *replay_begin(struct replay *rp, const struct seccomp_notif *req)
{
	struct replay_call *c = take_slot(rp);

	if (!c)
		return NULL;
	c->tid = (pid_t)req->pid;
	c->cmd = (int)(uint32_t)req->data.args[0];
	c->uattr = req->data.args[1];
	c->size = (unsigned int)req->data.args[2];
	c->alen = c->size < ATTR_CMP ? c->size : ATTR_CMP;
	if (!read_attr(c->tid, c->uattr, c->orig, c->alen)) {
		memset(c, 0, sizeof(*c));
		return NULL;
	}
	memcpy(c->now, c->orig, c->alen);
	c->countable = witness_counts(&req->data);
	c->id = req->id;
	c->state = SERVING;
	c->used = ++rp->clock;
	if (rp->witness)
		get_thread(rp, c->tid);
	return c;
}

void replay_wrote(struct replay_call *c, const struct tm_span *s, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t lo = s[i].remote, hi = s[i].remote + s[i].done;
		uint64_t alo = c->uattr, ahi = c->uattr + c->alen;

		if (hi <= alo || lo >= ahi)
			continue;
		if (lo < alo)
			lo = alo;
		if (hi > ahi)
			hi = ahi;
		memcpy(c->now + (lo - alo), (const unsigned char *)s[i].local + (lo - s[i].remote),
		       (size_t)(hi - lo));
	}
}

long replay_keep(struct replay *rp, struct replay_call *c, const struct tm_span *s,
		 unsigned int n)
{
	size_t more = 0, off = c->dlen;
	struct kept *k;
	unsigned char *d;

	for (unsigned int i = 0; i < n; i++)
		more += s[i].len;
	if (rp->kept_bytes + more > REPLAY_KEPT_MAX)
		return -ENOMEM;
	k = realloc(c->kept, sizeof(*k) * (c->nkept + n));
	if (!k)
		return -ENOMEM;
	c->kept = k;
	d = realloc(c->data, c->dlen + more + 1);
	if (!d)
		return -ENOMEM;
	c->data = d;
	for (unsigned int i = 0; i < n; i++) {
		k[c->nkept++] = (struct kept){ .remote = s[i].remote, .len = s[i].len, .off = off };
		if (s[i].len)
			memcpy(d + off, s[i].local, s[i].len);
		off += s[i].len;
	}
	c->dlen = off;
	rp->kept_bytes += more;
	return n;
}

void replay_end(struct replay *rp, struct replay_call *c, long r)
{
	if (!c)
		return;
	if (r == TC_GONE) {
		call_free(rp, c);
		return;
	}
	c->r = r;
	c->state = ANSWERED;
	mark(rp, c);
}

void replay_sent(struct replay *rp, const struct seccomp_notif *req, int err)
{
	struct replay_call *c = find_call(rp, (pid_t)req->pid, ANSWERED);

	if (!c || c->id != req->id)
		return;
	if (err) {
		c->state = UNDELIVERED;
		rp->st.unsent++;
	} else if (c->marked) {
		c->state = SENT;
	} else {
		call_free(rp, c);
	}
}
