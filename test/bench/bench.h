/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-bench: the map operations a client of the batch commands runs,
 * each as a batched call sequence through libbpf and as the best hand-written
 * single-element loop, so the same binary can be timed natively, through the
 * shim, and through the shim on a simulated old kernel.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdint.h>

struct bench_map {
	int fd;
	uint32_t type;   /* enum bpf_map_type */
	uint32_t n;      /* elements the benchmark fills */
	uint32_t ks;     /* key size */
	uint32_t vs;     /* value size */
	uint32_t stride; /* value bytes one element takes in a batch buffer */
	bool hash;       /* hash family (deletes, 4-byte tokens) */
	char *keys;      /* n generated keys, NULL if not generated */
	char *vals;      /* n generated values (stride apart) */
};

/* Result buffers: cap elements, reused call after call. */
struct bench_bufs {
	uint32_t cap;
	char *keys;
	char *vals;
};

/* Command-line options of every mode. */
struct bench_opts {
	const char *mode;
	uint32_t type;
	const char *type_name;
	uint32_t n, ks, vs, batch, reps, iters, count;
	const char *op;
	const char *variant;
	const char *skip; /* table: variants not to run, comma-separated */
};

/* One measured operation: elements processed, or -errno. */
typedef long (*bench_op_fn)(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);

/* Create a map of @type for @n elements; @gen: keep generated keys/values. */
int bench_map_new(struct bench_map *m, uint32_t type, uint32_t n, uint32_t ks, uint32_t vs,
		  bool gen);
void bench_map_free(struct bench_map *m);
/* Key and value number @i, as the fill writes them. */
void bench_make_key(const struct bench_map *m, void *key, uint32_t i);
void bench_make_val(const struct bench_map *m, void *val, uint32_t i);
/* Untimed: put all n elements in (one UPDATE_ELEM each) / take all out. */
int bench_fill(const struct bench_map *m);
int bench_clear(const struct bench_map *m);

int bench_bufs_new(struct bench_bufs *b, const struct bench_map *m, uint32_t cap);
void bench_bufs_free(struct bench_bufs *b);

/* Batched: libbpf's bpf_map_*_batch with @batch elements per call. */
long bench_lookup_batch(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);
/* The same, each batch after the last: every element kept. */
long bench_lookup_batch_keep(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);
long bench_lookup_and_delete_batch(const struct bench_map *m, struct bench_bufs *b,
				   uint32_t batch);
long bench_update_batch(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);
long bench_delete_batch(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);

/* Hand-written loops of single-element commands (batch is ignored). */
long bench_lookup_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);
long bench_array_lookup_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);
long bench_lookup_delete_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);
long bench_lookup_and_delete_loop(const struct bench_map *m, struct bench_bufs *b,
				  uint32_t batch);
long bench_delete_walk_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);
long bench_delete_key_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);
long bench_update_loop(const struct bench_map *m, struct bench_bufs *b, uint32_t batch);

/* Print "bpfbatch-bench: WHAT: strerror(|r|)" and exit 1. */
__attribute__((noreturn)) int bench_die(const char *what, long r);

/* What a measurement needs the map to hold before it runs. */
enum bench_need { BENCH_NEED_ANY, BENCH_NEED_FULL, BENCH_NEED_EMPTY };

struct bench_measure {
	const char *op;
	const char *variant;
	uint32_t batch; /* 0: N */
	bench_op_fn fn;
	enum bench_need need;
	bool empties; /* leaves the map empty */
};

/* In bench_table.c. Bring the map into the state @need (untimed); *full
 * says whether it holds all n elements. */
void bench_set_state(const struct bench_map *m, enum bench_need need, bool *full);
/* Run one measurement; ns per element (exits unless all n were processed). */
double bench_run_one(const struct bench_map *m, struct bench_bufs *b,
		     const struct bench_measure *x, bool *full);
/* A map of --type/--n/--ks/--vs with generated elements, and cap-element buffers. */
void bench_map_setup(const struct bench_opts *o, struct bench_map *m, struct bench_bufs *b,
		     uint32_t cap);
int bench_mode_table(const struct bench_opts *o);
/* In bench_floor.c and bench_count.c. */
int bench_mode_floor(const struct bench_opts *o);
int bench_mode_scale(const struct bench_opts *o);
int bench_mode_count(const struct bench_opts *o);

/* Modes in bench_sys.c. */
int bench_mode_passthrough(const struct bench_opts *o);
int bench_mode_ptcount(const struct bench_opts *o);
int bench_mode_mem(const struct bench_opts *o);
int bench_mode_abandon(const struct bench_opts *o);
/* In bench_legacy.c: bcc's items()/clear() loops and a native dump. */
int bench_mode_legacy(const struct bench_opts *o);
/* In bench_bulk.c: every command at batch 100, 1000, N; the cost of one
 * single-element command. */
int bench_mode_bulk(const struct bench_opts *o);
int bench_mode_callcost(const struct bench_opts *o);
/* In bench_alt.c: batch calls direct and interposed, alternated. */
int bench_mode_alt(const struct bench_opts *o);

/* Monotonic nanoseconds. */
uint64_t bench_now_ns(void);
/* Median of @n samples (sorts them). */
double bench_median(double *v, unsigned int n);

#endif
