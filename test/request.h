/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * One bpf() batch call described as bytes, so that the test process and the
 * peer execute exactly the same call: the test process natively, the peer
 * through the preloaded shim. The executor (rq_exec) is shared by both.
 *
 * Request message: struct rq_hdr, then the initial contents of every buffer
 * of kind RQ_VALID or RQ_RDONLY, in buffer order. Response message: struct
 * rs_hdr, then the contents of those buffers after the call, in order.
 */
#ifndef BPFBATCH_TEST_REQUEST_H
#define BPFBATCH_TEST_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#define RQ_ATTR_MAX 4200	/* room for the 4097-byte attr case */
#define RQ_MSG_MAX (1u << 20)

enum rq_op {
	RQ_HELLO = 1,		/* peer answers with its probe results */
	RQ_ADD_FD,		/* SCM_RIGHTS fd, known to the test as hdr.fd */
	RQ_DEL_FD,		/* forget hdr.fd (closes the peer's copy) */
	RQ_BPF,			/* execute the call */
	RQ_QUIT,
};

/* The four pointers of the batch attr, at offsets 0, 8, 16, 24. */
enum rq_buf_idx { RQ_IN_BATCH, RQ_OUT_BATCH, RQ_KEYS, RQ_VALUES, RQ_NBUF };

enum rq_buf_kind {
	RQ_VALID,	/* len bytes, ending right before an inaccessible page */
	RQ_NULL,
	RQ_UNMAPPED,	/* an address that was mapped and then unmapped */
	RQ_RDONLY,	/* len bytes in a read-only page */
	RQ_LITERAL,	/* the pointer value given in 'literal' */
};

enum rq_attr_kind { RQ_ATTR_VALID, RQ_ATTR_NULL, RQ_ATTR_RDONLY };

enum rq_fd_kind {
	RQ_FD_MAP,	/* hdr.fd: the test's fd number; the peer maps it to its copy */
	RQ_FD_LITERAL,	/* leave map_fd in the attr image as is */
	RQ_FD_CLOSED,	/* a freshly closed descriptor number */
};

struct rq_buf {
	uint32_t kind;
	uint32_t len;
	uint64_t literal;
};

struct rq_hdr {
	uint32_t op;
	uint32_t cmd;
	uint32_t attr_size;
	uint32_t attr_kind;
	uint32_t fd_kind;
	int32_t fd;
	struct rq_buf buf[RQ_NBUF];
	uint8_t attr[RQ_ATTR_MAX];	/* image; pointers and map_fd filled in by rq_exec */
};

struct rs_hdr {
	int32_t ret;
	int32_t err;
	uint32_t count;		/* the attr's count field after the call */
	uint32_t len[RQ_NBUF];	/* bytes of each buffer that follow (0 if none) */
	/* RQ_HELLO only: */
	int32_t probe_raw_err;	/* errno of cmd 24 on fd -1 through libc's own syscall() */
	int32_t probe_shim_err;	/* the same through the (interposed) syscall() */
};

/* Execute the RQ_BPF request msg (len bytes) with fd as the map fd. Writes the
 * response into out (cap bytes) and returns its length. */
size_t rq_exec(const void *msg, size_t len, int fd, void *out, size_t cap);

/* The call itself, as syscall(__NR_bpf, ...) makes it: -1 and errno on failure. */
typedef long (*rq_bpf_fn)(int cmd, void *attr, unsigned int size);

/* rq_exec() with the bpf() call made by fn (NULL: libc's syscall()), so a
 * client can run the same request through another front end (the C API). */
size_t rq_exec_with(const void *msg, size_t len, int fd, void *out, size_t cap, rq_bpf_fn fn);

/* Byte offset of each buffer's data inside a request/response message. */
size_t rq_data_len(const struct rq_hdr *h);

#endif
