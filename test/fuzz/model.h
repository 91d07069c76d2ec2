/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What one side's map holds, key by key (keys are universe numbers). The
 * fuzzer is the map's only user, so the model is exact: every batch result
 * is checked against it when the call is made, and the map itself against it
 * by dumps. The two sides' models differ only where the contract lets them
 * (lookup-and-delete chunks of different sizes, what a native EFAULT loses).
 */
#ifndef BPFBATCH_FUZZ_MODEL_H
#define BPFBATCH_FUZZ_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "univ.h"

struct fz_model {
	uint32_t n;
	uint32_t stride;
	uint8_t *present;
	uint8_t *val;		/* as a lookup returns it */
	uint32_t count;		/* keys present */
	uint64_t version;	/* bumped by every change */
};

/* Empty, or for arrays every index present with a zero value. */
int fz_model_init(struct fz_model *m, const struct fz_univ *u);
void fz_model_free(struct fz_model *m);
void fz_model_copy(struct fz_model *dst, const struct fz_model *src);
const uint8_t *fz_model_val(const struct fz_model *m, uint32_t i);
void fz_model_put(struct fz_model *m, uint32_t i, const void *val);
void fz_model_drop(struct fz_model *m, uint32_t i);

/* Read a map (GET_NEXT_KEY + LOOKUP_ELEM) into a fresh model: 0, -errno, or
 * -EUCLEAN when the map holds a key outside the universe. */
int fz_model_read(struct fz_model *out, const struct fz_univ *u, int fd);
/* First key in which a and b differ (presence or value), or -1. */
long fz_model_diff(const struct fz_model *a, const struct fz_model *b);
/* "key #i: present v=0a0b.. / absent", for messages. */
const char *fz_model_desc(const struct fz_univ *u, const struct fz_model *m, uint32_t i,
			  char *buf, unsigned len);

#endif
