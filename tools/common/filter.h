/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Building and loading the seccomp filters of `bpfbatch run` and `bpfbatch
 * sim` with libseccomp, with its pitfalls handled once: the compat ABIs, the
 * 32-bit bpf() command, the kernel's errno rather than libseccomp's, and a
 * flag libseccomp 2.5 cannot set.
 */
#ifndef BPFBATCH_FILTER_H
#define BPFBATCH_FILTER_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A filter that allows all but what rules are added, for the native ABI
 * and its compat ABIs (without them a 32-bit program the target execs would
 * be killed as a "bad arch"); libseccomp calls on it return the kernel's
 * errno. 0 or -errno.
 */
int filter_new(scmp_filter_ctx *ctx);

/* @action for bpf() calls whose command, masked with @mask, is @cmd. The
 * command is an int: only its low 32 bits are compared. 0 or -errno. */
int filter_bpf_cmd(scmp_filter_ctx ctx, uint32_t action, uint32_t mask, uint32_t cmd);

/* Load it into the calling thread. 0 or the kernel's -errno. */
int filter_load(scmp_filter_ctx ctx);

/*
 * Load a filter with SCMP_ACT_NOTIFY rules: the listener fd, or -errno.
 * @wait_killable: once the listener has received a call, only a fatal
 * signal may abandon it (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 5.19+;
 * where the kernel refuses the flag the filter is loaded without it).
 * *@killable (may be NULL): whether the filter got it.
 */
int filter_load_listener(scmp_filter_ctx ctx, bool wait_killable, bool *killable);

#endif
