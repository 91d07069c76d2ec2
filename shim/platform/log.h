/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Diagnostics for BPFBATCH_LOG=1, to stderr; silent otherwise. Each line is
 * formatted on the stack and written with one raw write(2), so errno and
 * the caller's stdio buffers are never touched.
 */
#ifndef BB_LOG_H
#define BB_LOG_H

#include <stdbool.h>

bool bb_log_enabled(void);
void bb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
