/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-test-peer: executes batch calls sent by the conformance tests.
 *
 * Started as "[bpfbatch sim --kernel X --] env LD_PRELOAD=libbpfbatch.so
 * bpfbatch-test-peer SOCKFD", so every bpf() call it makes through glibc's
 * syscall() is served by the shim. It keeps the map fds it is sent (keyed by
 * the test's fd number), executes each request with rq_exec() and answers
 * (peer_serve.c, the loop it shares with the fuzzer's peer).
 * It handles no signal: a bad pointer that crashes it is a shim bug that the
 * test reports.
 */
#include <stdio.h>
#include <stdlib.h>

#include "peer_serve.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SOCKFD\n", argv[0]);
		return 2;
	}
	return peer_serve(atoi(argv[1]), NULL, 0);
}
