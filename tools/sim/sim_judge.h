/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The part of an old kernel that the command number alone does not decide:
 * a command the kernel knows but not for every map type (batch on LPM tries
 * before 5.13 and on map-in-map before 5.19, LOOKUP_AND_DELETE_ELEM on hash
 * maps before 5.14, GET_NEXT_KEY on LPM tries before 4.16), or not for every
 * argument (GET_NEXT_KEY with a NULL key before 4.12, per-element flags
 * before 5.1). Which commands need a look at the call, and the verdict on
 * one call, for every mechanism that brings the call here: a user-notify
 * listener (sim_notify.c), a ptrace stop (the ptrace front end), or the
 * supervisor's own bpf() in its process (sim_judge_self()).
 */
#ifndef BPFBATCH_SIM_JUDGE_H
#define BPFBATCH_SIM_JUDGE_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Add a rule with @action for each bpf command that kernel @v knows but
 * answers differently from the newest kernel for some map type or
 * argument; with @except_batch, not for commands 24..27 (a front end that
 * serves them). Returns how many were added, or -errno.
 */
int sim_judged_rules(scmp_filter_ctx ctx, uint32_t v, uint32_t action, bool except_batch);

/*
 * The verdict of kernel @v on bpf(@cmd, @uattr, @size) made by thread @tid
 * (read through its memory and its fdinfo): 0 lets the real kernel run it,
 * else the -errno that kernel would give. Where an earlier check of the
 * kernel's would fail (bad fd, no access, bad pointer) the answer is 0: the
 * real kernel gives that answer.
 */
int sim_judge(pid_t tid, int cmd, uint64_t uattr, unsigned int size, uint32_t v);

/*
 * Judge this process's own bpf() calls as kernel major.minor would (the
 * core's raw path asks before each call). For a supervisor that acts as an
 * old kernel and may not use a listener to judge itself (before 5.0 there
 * is none). Returns 0 or -errno.
 */
int sim_judge_self(unsigned int major, unsigned int minor);

#endif
