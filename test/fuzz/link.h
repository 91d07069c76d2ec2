/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The two sides of the fuzzer. The native side executes a batch call in this
 * process (straight to the kernel); the emulated side sends it to the fuzz
 * peer, a child process that runs it through the shim: preloaded, or through
 * the C API, under "bpfbatch sim --kernel X.Y" or BPFBATCH_MODE=emulate.
 * Both run the same request bytes with test/request.c's executor, so buffers
 * end at the same guard pages and a fault happens at the same byte.
 */
#ifndef BPFBATCH_FUZZ_LINK_H
#define BPFBATCH_FUZZ_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "request.h"

/* How the emulated side reaches the shim. */
struct fz_cfg {
	const char *name;
	const char *kernel;	/* "bpfbatch sim --kernel" version, or NULL: this kernel */
	bool api;		/* the C API (bpfbatch_map_*_batch), not the preloaded syscall() */
	bool emulate;		/* BPFBATCH_MODE=emulate */
	bool lpm_walks;		/* the simulated kernel can walk LPM tries (>= 4.16) */
	bool passthrough;	/* the shim passes every call to this kernel: a self-test */
	uint32_t share;		/* percent of the op budget */
};

struct fz_link {
	bool remote;
	pid_t pid;
	int sock;
	uint8_t *req;
	size_t req_len;
	int req_fd;
	uint8_t *resp;
	char died[160];		/* why the peer stopped answering */
};

/* One buffer of the call: RQ_VALID/RQ_RDONLY (len bytes of data, or 0xab when
 * data is NULL, ending at a guard page), RQ_NULL or RQ_UNMAPPED. */
struct fz_buf {
	uint32_t kind;
	uint32_t len;
	const void *data;
};

struct fz_call {
	uint32_t cmd;
	int fd;			/* the native side's number; the peer maps it */
	uint32_t count;
	uint64_t elem_flags;
	uint64_t flags;
	bool attr_rdonly;	/* count cannot be written back */
	struct fz_buf buf[RQ_NBUF];
};

/* What the caller can observe; buffers point into the link and stay valid
 * until its next call. */
struct fz_res {
	int ret;
	int err;
	uint32_t count;
	uint32_t len[RQ_NBUF];
	const uint8_t *buf[RQ_NBUF];
};

void fz_link_local(struct fz_link *l);
/* Start the peer; fds in keep[] are inherited at the same numbers (inner
 * maps, whose fd numbers travel inside values). 0 or -1 with l->died set. */
int fz_link_start(struct fz_link *l, const struct fz_cfg *cfg, const int *keep, int nkeep);
void fz_link_stop(struct fz_link *l);
/* Make fd (this process's number) usable in calls on this link. */
int fz_link_add_fd(struct fz_link *l, int fd);
void fz_link_del_fd(struct fz_link *l, int fd);
/* 0, or -1 when the peer died (l->died says how). */
int fz_link_call(struct fz_link *l, const struct fz_call *c, struct fz_res *r);
/* The same in two halves, so that two links work at the same time. */
int fz_link_send(struct fz_link *l, const struct fz_call *c);
int fz_link_recv(struct fz_link *l, struct fz_res *r);

#endif
