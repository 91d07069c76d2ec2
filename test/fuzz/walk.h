/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * One walk (in_batch = start ... ENOENT) as each side sees it. The two sides
 * make the same calls with their own tokens, so their walks advance at
 * different paces (hash chunks differ) and end at different ops; each keeps
 * its own path of calls. Re-issuing an earlier token and going on from its
 * answer cuts the path there, as a caller that retries does. The promises
 * (design.md rule 2) are checked per side against that side's model:
 * every key present for the whole walk is returned exactly once along the
 * path, none twice (unless deleted and inserted again in between).
 */
#ifndef BPFBATCH_FUZZ_WALK_H
#define BPFBATCH_FUZZ_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct fz_step {
	uint32_t count;
	uint32_t in_len;		/* 0: in_batch NULL */
	uint8_t in_tok[FZ_KEY_MAX];
	uint8_t out_tok[FZ_KEY_MAX];
	int err;			/* 0 or ENOENT */
	uint32_t n;
	uint32_t *keys;			/* universe numbers, in returned order */
	uint64_t version;		/* the side's model version before the call */
};

struct fz_wside {
	bool started;			/* first call made: start[] is set */
	bool done;			/* the path ended with ENOENT */
	bool unreliable;		/* native LPM walk across deletions: no promise */
	uint32_t nsteps;
	uint32_t cap;
	struct fz_step *steps;
	uint32_t tok_len;
	uint32_t start_len;
	uint8_t start_tok[FZ_KEY_MAX];
	uint8_t *start;			/* present at the first call */
	uint8_t *touched;		/* presence changed since, not by this walk */
	uint32_t *epoch;		/* insertions since the first call */
	uint16_t *times;		/* returned along the path (lookup) / at all (drain) */
	uint32_t *ret_epoch;		/* epoch when last returned */
	uint8_t *mark;			/* scratch */
};

struct fz_walk {
	uint32_t id;
	bool del;			/* LOOKUP_AND_DELETE */
	bool partial;			/* started at a key: no completeness promise */
	bool emu_only;			/* a command only the emulation has */
	int32_t start_key;		/* started at key #start_key (< n), else -1 */
	uint32_t n;
	struct fz_wside s[2];
};

/* tok/len: the first call's in_batch (len 0: NULL); tok_len: the map's. */
struct fz_walk *fz_walk_new(uint32_t id, bool del, uint32_t n, uint32_t tok_len, const void *tok,
			    uint32_t len);
struct fz_walk *fz_walk_clone(const struct fz_walk *w, uint32_t id);
void fz_walk_free(struct fz_walk *w);

/* The in_batch of the side's next call (*len 0: NULL). */
const uint8_t *fz_wside_token(const struct fz_wside *ws, uint32_t *len);
/* The step 'back' calls before the newest (0: the newest), or NULL. */
const struct fz_step *fz_wside_back(const struct fz_wside *ws, uint32_t back);

void fz_wside_begin(struct fz_wside *ws, const struct fz_model *m);
/* Key i's presence changed by anything but this walk's own deletes. */
void fz_wside_changed(struct fz_wside *ws, uint32_t i, bool now_present);

/*
 * Account a successful call's keys. On the path: the path is first cut to
 * 'keep' steps, then st (deep-copied) appended. Off the path (a re-issue the
 * walk does not go on from): only a drain's keys count. Returns the first
 * key returned twice, or -1 (only if check is set).
 */
#define FZ_OFF_PATH UINT32_MAX
long fz_wside_account(struct fz_wside *ws, bool del, const struct fz_step *st, uint32_t keep,
		      bool check);
/* After the path ended: the first key present throughout that was not
 * returned, or -1. */
long fz_wside_missed(const struct fz_wside *ws, uint32_t n);

#endif
