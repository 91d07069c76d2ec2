/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The request loop of the peers that execute batch calls for the tests
 * (request.h protocol): bpfbatch-test-peer (peer.c, for the conformance
 * tests) and bpfbatch-fuzz-peer (fuzz/fuzz_peer.c). Map fds the test sends
 * are kept by the test's fd number; HELLO reports what a batch call on fd -1
 * says past the shim and through it; each RQ_BPF is executed with
 * rq_exec_with().
 */
#ifndef BPFBATCH_TEST_PEER_SERVE_H
#define BPFBATCH_TEST_PEER_SERVE_H

#include "request.h"

/* Serve requests on @sock until the test goes away or says QUIT; calls are
 * made by @fn (NULL: libc's syscall(), which the preloaded shim interposes)
 * and HELLO answers @hello_err as its err. The exit status: 0, or 1 when
 * an answer cannot be sent. */
int peer_serve(int sock, rq_bpf_fn fn, int hello_err);

#endif
