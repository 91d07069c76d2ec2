/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/**
 * @file bpfbatch.h
 * @brief BPF map batch operations on every kernel.
 *
 * The four functions have the shapes of libbpf's bpf_map_*_batch(). They use
 * the kernel's BPF_MAP_*_BATCH commands where the running kernel supports them
 * for the map's type, and otherwise emulate them with single-element commands,
 * with the same results, count, batch-token and errno contract as Linux 6.18.
 *
 * Errors: every function returns 0 on success and a negative errno on failure;
 * errno is set to the same value. *count is always written back, also on
 * failure (as libbpf does): it then holds what the kernel reported, which is
 * the caller's own value for validation errors (EINVAL, EBADF, EPERM, ENOTSUPP).
 * Invalid opts (see struct bpfbatch_opts) leave it untouched, as in libbpf.
 *
 * Any of the four may also fail with -ENOMEM, as the kernel's own batch
 * commands may: natively when the kernel cannot allocate its buffers, and
 * for emulated lookups when this process cannot allocate a walk's key
 * buffers or its iteration state. The call then returns no element
 * (*count 0), has deleted nothing, and the token passed in keeps its
 * meaning, so it can be retried.
 *
 * Environment: BPFBATCH_MODE=auto|native|emulate (default auto) forces a path.
 *
 * Thread safety: all functions may be called from any thread. They are not
 * async-signal-safe when they emulate (the iteration table is locked).
 */
#ifndef BPFBATCH_H
#define BPFBATCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef BPFBATCH_API
#define BPFBATCH_API __attribute__((visibility("default")))
#endif

/** ENOTSUPP: the kernel-internal errno (524) the kernel returns when a map
 * type lacks a batch operation; bpfbatch returns it in the same places. */
#define BPFBATCH_ENOTSUPP 524

/**
 * @brief Options, laid out like libbpf's struct bpf_map_batch_opts.
 *
 * @c sz must be sizeof(struct bpfbatch_opts) (or the size of an older, shorter
 * version); @c elem_flags accepts only BPF_F_LOCK (4) — BPF_NOEXIST/BPF_EXIST
 * are rejected with EINVAL by every kernel since 5.6 and so here; @c flags must
 * be 0 for lookups on hash-family maps and is ignored elsewhere.
 *
 * As libbpf's OPTS_VALID checks them: fields past @c sz read as 0; a larger
 * @c sz (a caller built against a newer header) is accepted only if every
 * byte past @c flags is zero; that, or an @c sz smaller than
 * sizeof(size_t), fails with -EINVAL before anything else happens (no
 * syscall, *count untouched). NULL opts mean all zero.
 */
struct bpfbatch_opts {
	size_t sz;
	uint64_t elem_flags;
	uint64_t flags;
};

/**
 * @brief Look up up to *count elements, starting after the position named by
 * @p in_batch.
 *
 * @param fd map file descriptor (needs read access)
 * @param in_batch NULL to start at the beginning of the map, else the token
 *        written to @p out_batch by the previous call. For hash-family maps
 *        (HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, HASH_OF_MAPS) and the
 *        other maps whose keys can vanish that bpfbatch batches (STACK_TRACE,
 *        DEVMAP_HASH, SOCKHASH, CGROUP_STORAGE, PERCPU_CGROUP_STORAGE) the
 *        token is 4 bytes and a token of 0 also means "from the beginning";
 *        for array-like maps and LPM tries it is key_size bytes (the last
 *        visited index or key).
 * @param out_batch where the next token is written (4 or key_size bytes)
 * @param keys room for *count keys (key_size each)
 * @param values room for *count values; per-CPU maps take
 *        round_up(value_size, 8) * possible CPUs bytes per element
 * @param count in: capacity; out: elements returned by this call
 * @param opts may be NULL
 * @return 0, more may follow; -ENOENT, the walk reached the end (*count may
 *         still be > 0); -ENOSPC, natively on hash maps a bucket did not fit
 *         in *count (emulated calls never chunk by bucket, but pass on the
 *         single-element lookup's -ENOSPC for SOCKMAP and SOCKHASH values that
 *         are not 8 bytes); -EFAULT a bad pointer (*count is 0); -EINVAL,
 *         -EBADF, -EPERM as the kernel returns them; -ENOMEM (see the
 *         file's description of errors); -BPFBATCH_ENOTSUPP for
 *         the maps whose lookup the syscall refuses (PERF_EVENT_ARRAY,
 *         CGROUP_ARRAY, XSKMAP) and those with no key iteration (QUEUE, STACK,
 *         BLOOM_FILTER, RINGBUF, the local storages, ...), as the newest
 *         kernel does for every type it does not batch.
 *
 * When emulated, a hash-family call returns up to *count elements (never
 * ENOSPC); an iteration returns every key present for its whole duration
 * exactly once, also when the caller deletes returned keys between calls or
 * other threads change the map (updates included). Tokens are values, as the kernel's are: a
 * token can be used again, from any copy of its bytes, any number of times,
 * and returns the chunk that starts where it pointed; a failed call changes
 * nothing a token means. Emulated hash-family tokens name a position in an
 * iteration held in this process: up to 128 iterations are kept at once
 * without any reclaim, idle ones holding at most 64 MiB together (a lookup keeps the keys
 * it met, about key_size + 12 bytes each, and 4 bytes per token; a
 * lookup-and-delete key_size bytes per token); beyond either bound idle
 * iterations of maps that no longer exist are reclaimed first (a map whose
 * last fd was closed exists for up to a second more while a bulk program of
 * ours holds it, see BPFBATCH_BULK), then finished iterations, then the
 * least recently used, and a token
 * of a reclaimed iteration, or an unknown one, ends the walk (-ENOENT,
 * *count 0), as an out-of-range bucket index does in the kernel. An LPM
 * token is the last key, and the trie's fixed key order says what comes
 * after it, even once it is deleted; only which keys were handed out as
 * tokens is kept: up to 4096 per process (key_size + about 40 bytes each),
 * the oldest reclaimed first (logged and counted). A key not in the trie
 * that was never handed out, or whose record was reclaimed, restarts the
 * walk at the leftmost key, as the kernel does for any key not in the trie.
 */
BPFBATCH_API int bpfbatch_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys,
					   void *values, uint32_t *count,
					   const struct bpfbatch_opts *opts);

/**
 * @brief As bpfbatch_map_lookup_batch(), and delete what is returned.
 *
 * Needs read and write access. -BPFBATCH_ENOTSUPP, as the kernel answers,
 * on ARRAY and PERCPU_ARRAY (an array slot cannot be deleted), on the cgroup
 * storages (user space cannot delete their elements) and on every map whose
 * lookup is refused (see bpfbatch_map_lookup_batch()). bpfbatch adds the
 * command where no kernel has it but deleting an element is meaningful: LPM
 * tries, STACK_TRACE, DEVMAP_HASH, SOCKHASH, and the array-like maps whose
 * slots can be emptied (ARRAY_OF_MAPS, PROG_ARRAY, DEVMAP, CPUMAP, SOCKMAP,
 * REUSEPORT_SOCKARRAY; empty slots are skipped).
 *
 * Where the kernel has no BPF_MAP_LOOKUP_AND_DELETE_ELEM for the map's type
 * (it has one only for HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH, since
 * 5.14), each element is looked up, then deleted: a concurrent update in
 * between is lost with it. On -EFAULT, elements may already have been
 * deleted (as in the kernel); when emulated, nothing is deleted unless it
 * is handed back: -EFAULT (*count 0) deletes nothing, and -ENOMEM comes
 * before any delete.
 */
BPFBATCH_API int bpfbatch_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch,
						      void *keys, void *values, uint32_t *count,
						      const struct bpfbatch_opts *opts);

/**
 * @brief Update (insert or replace) *count elements, in order.
 *
 * @return 0 with *count unchanged when all were applied; otherwise the error
 *         of the first element that failed (e.g. -E2BIG map full or array
 *         index out of range, -EFAULT) with *count = the number applied;
 *         -BPFBATCH_ENOTSUPP on STACK_TRACE (the syscall refuses its updates)
 *         and on the maps with no key iteration.
 */
BPFBATCH_API int bpfbatch_map_update_batch(int fd, const void *keys, const void *values,
					   uint32_t *count, const struct bpfbatch_opts *opts);

/**
 * @brief Delete *count keys, in order.
 *
 * @return 0 when all were deleted; -ENOENT at the first missing key, or
 *         the error the single-element delete gives for the first key that
 *         fails, with *count = keys deleted before it; -BPFBATCH_ENOTSUPP on
 *         ARRAY, PERCPU_ARRAY, the cgroup storages and the maps with no key
 *         iteration. Every other type bpfbatch batches takes deletes,
 *         including the array-like maps whose slots can be emptied (see
 *         bpfbatch_map_lookup_and_delete_batch()).
 */
BPFBATCH_API int bpfbatch_map_delete_batch(int fd, const void *keys, uint32_t *count,
					   const struct bpfbatch_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* BPFBATCH_H */
