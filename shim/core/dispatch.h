/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Native or emulated? Decided per call from BPFBATCH_MODE, a one-time probe
 * of the kernel, and the memory of map types the kernel refused.
 */
#ifndef BB_DISPATCH_H
#define BB_DISPATCH_H

/* Serve batch command @cmd (24..27) on the caller's attr. Returns >= 0 or
 * -errno: exactly what the kernel's bpf() would, for the newest kernel. */
long bb_dispatch_batch(int cmd, void *uattr, unsigned int size);

/* Does the running kernel know the batch commands? (probed once) */
int bb_dispatch_kernel_has_batch(void);

#endif
