/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Differential harness: run one batch call natively (in this process, not
 * preloaded) and through the peer (preloaded shim, optionally under the
 * kernel-version simulator), and compare what a caller can observe.
 */
#ifndef BPFBATCH_TEST_CONFORMANCE_H
#define BPFBATCH_TEST_CONFORMANCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpfutil.h"
#include "request.h"

#define CMD_LOOKUP 24
#define CMD_LOOKUP_AND_DELETE 25
#define CMD_UPDATE 26
#define CMD_DELETE 27
#define ENOTSUPP_ 524

/* How the peer reaches its bpf() calls. */
enum peer_mode {
	MODE_SIM,	/* bpfbatch sim --kernel 5.4 + LD_PRELOAD: shim emulates */
	MODE_EMU,	/* LD_PRELOAD + BPFBATCH_MODE=emulate on this kernel */
	MODE_PASS,	/* LD_PRELOAD + BPFBATCH_MODE=auto: shim passes through */
	MODE_NR,
};

struct peer {
	pid_t pid;
	int sock;
	enum peer_mode mode;
};

/* One batch call. Buffers of kind RQ_VALID/RQ_RDONLY hold len bytes, copied
 * from data (or 0xAB when data is NULL). */
struct call {
	uint32_t cmd;
	int fd;
	uint32_t fd_kind;
	uint32_t attr_size;
	uint32_t attr_kind;
	uint32_t count;
	uint64_t elem_flags;
	uint64_t flags;
	struct {
		uint32_t kind;
		uint32_t len;
		const void *data;
		uint64_t literal;
	} buf[RQ_NBUF];
	uint32_t npoke;
	struct {
		uint32_t off;
		uint8_t val;
	} poke[4];
};

struct outcome {
	int ret;
	int err;
	uint32_t count;
	uint32_t len[RQ_NBUF];
	uint8_t *buf[RQ_NBUF];	/* contents after the call (NULL if none) */
	uint8_t *msg;
};

#define CMP_IN (1u << RQ_IN_BATCH)
#define CMP_OUT (1u << RQ_OUT_BATCH)
#define CMP_KEYS (1u << RQ_KEYS)
#define CMP_VALUES (1u << RQ_VALUES)
#define CMP_ALL (CMP_IN | CMP_OUT | CMP_KEYS | CMP_VALUES)

const char *mode_name(enum peer_mode m);
const char *cmd_name(uint32_t cmd);
/* Skips the test (with a reason) when not root or bpf is unavailable. */
void conf_require_bpf(void);

void peer_start(struct peer *p, enum peer_mode m);
void peer_stop(struct peer *p);
void peer_add_fd(struct peer *p, int fd);
void peer_del_fd(struct peer *p, int fd);

/* size 56, valid attr, map fd, all pointers NULL, count 0. */
void call_init(struct call *c, uint32_t cmd, int fd);
void call_buf(struct call *c, int idx, uint32_t kind, uint32_t len, const void *data);

/* p == NULL: natively in this process. Fails the test if the peer dies. */
void call_run(struct peer *p, const struct call *c, struct outcome *o, const char *ctx);
void outcome_free(struct outcome *o);

/* Expect ret, errno, count and the buffers in mask to be identical; false
 * (after reporting each difference) if not. */
bool check_same(const struct outcome *nat, const struct outcome *emu, unsigned int mask,
		const char *ctx);
/* Assert ret, errno, count and the buffers in mask are identical. */
void expect_same(const struct outcome *nat, const struct outcome *emu, unsigned int mask,
		 const char *ctx);

/* Walk a hash-family map (LOOKUP or LOOKUP_AND_DELETE) from in_batch = NULL
 * (or the 4-byte start token) to ENOENT, checking the per-call contract. */
struct hash_walk {
	uint32_t cmd;
	uint32_t batch;
	const void *start_token;	/* 4 bytes, or NULL */
	bool strict;			/* no concurrent change: tighter checks */
	uint32_t max_calls;
	/* called after every call with the elements it returned */
	void (*after)(void *arg, const uint8_t *keys, const uint8_t *values, uint32_t n);
	void *arg;
};

struct walk_result {
	struct kvset got;	/* everything returned, in order (not sorted) */
	uint32_t calls;
	uint32_t enospc;	/* native only: ENOSPC answers (retried with a bigger count) */
};

void hash_walk(struct peer *p, int fd, const struct mspec *ms, const struct hash_walk *w,
	       struct walk_result *r, const char *ctx);

/* True for the native side (p == NULL) and a pass-through peer. */
bool peer_native_like(const struct peer *p);

/* Walk a map natively (fd_nat) and through the peer (fd_emu) in lockstep
 * from start_token (the token: key_size bytes, 4 for hash maps; or NULL),
 * comparing every call exactly (for hash maps only meaningful when the peer
 * passes through to this kernel). Returns the number of calls. */
uint32_t array_lockstep(struct peer *p, int fd_nat, int fd_emu, const struct mspec *ms,
			uint32_t cmd, uint32_t batch, const void *start_token, const char *ctx);

/* Assert both maps hold the same elements. */
void expect_same_content(int fd_a, int fd_b, const struct mspec *ms, const char *ctx);
/* Assert the map holds exactly the set s (sorted). */
void expect_content(int fd, const struct mspec *ms, const struct kvset *s, const char *ctx);

#endif
