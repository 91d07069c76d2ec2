/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The coverage-matrix client's pieces (matrix.c says what it does): the map
 * types and how their keys and values are made (matrix_types.c,
 * matrix_values.c), the four scenarios (matrix_scenarios.c), and the
 * reference that gives batch semantics with single-element commands
 * (matrix_reference.c).
 */
#ifndef MATRIX_H
#define MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BATCH 5		/* elements per call: several calls per scenario */
#define MAX_ELEMS 256	/* lookup buffers, enough to grow past any bucket */
#define MAX_OBJS 32	/* fds stored as values: 2 per key of the universe */
#define MAX_CALLS 200	/* a walk that does not end is a failure, not a hang */
#define MAX_LINES 512

enum cmd { C_LOOKUP, C_LOOKUP_AND_DELETE, C_UPDATE, C_DELETE, C_NUM };
extern const char *const cmd_names[C_NUM];

/* How keys are made from an element index. */
enum kkind {
	K_INDEX,	/* u32 index: array-like types */
	K_SPARSE,	/* u32, spread out: hash-like types */
	K_LPM,		/* disjoint /24 prefixes, so exact lookups read back */
	K_CGSTORAGE,	/* struct bpf_cgroup_storage_key */
	K_NONE,		/* key_size 0: queue, stack, bloom filter, ring buffer */
};

/* What the values are, in and out. */
enum vkind {
	V_TABLE,	/* as core/maptypes.c says: one of the next six */
	V_PLAIN,	/* bytes, value_size */
	V_PERCPU,	/* per-CPU bytes: round_up(value_size, 8) per possible CPU */
	V_MAPFD,	/* inner-map fd in, map id out */
	V_PROGFD,	/* prog fd in, prog id out */
	V_SOCKFD,	/* socket fd in (u64), socket cookie out */
	V_SOCKFD_XSK,	/* as V_SOCKFD, but a u32 fd (XSKMAP), lookup refused */
	V_CGROUPFD,	/* cgroup fd in, lookup refused */
	V_PERFFD,	/* perf event fd in, lookup refused */
	/* The scenario's own values, where the table's (plain) would be refused: */
	V_IFINDEX,	/* DEVMAP: ifindex 1 (lo) */
	V_QSIZE,	/* CPUMAP: queue size */
};

struct mtype {
	uint32_t type;	/* BB_MAP_TYPE_*; the name is the table's, in capitals */
	uint32_t key_size, value_size, max_entries, map_flags;
	enum kkind kk;
	enum vkind values;
	int universe;	/* keys the scenarios use: indexes 0..universe-1 */
	int fill;	/* indexes 0..fill-1 are present before each scenario */
	bool reuseport;	/* sockets need SO_REUSEPORT */
};

/* The types, in the order they are printed; CPUMAP's sizes are set by
 * matrix_types_init() from the possible-CPU count. */
extern struct mtype types[];
extern const size_t ntypes;

extern int ncpus;		/* possible CPUs */
extern bool opt_reference;	/* --reference: batch commands as single-element loops */
extern bool opt_dump;		/* --dump: the text behind every digest */

/* Objects whose fds a map stores: created per cell (a socket stays tied to a
 * reuseport array until the dead map is freed, asynchronously). */
struct objs {
	int n;
	int fd[MAX_OBJS];
	uint64_t id[MAX_OBJS];	/* map/prog id or socket cookie: normalised away */
};

struct cell {
	const struct mtype *t;
	int fd;
	uint32_t stride;	/* bytes per value in batch buffers */
	struct objs o;
	/* the digest's text, one line per fact, sorted where order is free */
	char *lines[MAX_LINES];
	int nlines;
	bool overflow;
};

/* ---- matrix_types.c: the types ------------------------------------------- */

void matrix_types_init(void);
const char *tname(const struct mtype *t);
enum vkind vk(const struct mtype *t);
uint32_t value_stride(const struct mtype *t);
/* A fresh map of the type: fd or -errno. */
int create_map(const struct mtype *t);

/* ---- matrix_values.c: keys, values, objects ------------------------------ */

void make_key(const struct mtype *t, int i, void *key);
/* A key no scenario uses: where GET_NEXT_KEY starts the read-back walk. */
void missing_key(const struct mtype *t, void *key);
/* Value of element @i in generation @gen (0: the fill, 1: the update). */
void make_value(struct cell *c, int i, int gen, void *val);
void hex(char *out, const void *p, uint32_t n);
/* "key=value", with ids and cookies replaced by the object's index. */
void render(struct cell *c, const void *key, const void *val, char *out, size_t size);
int inner_map(void);
void make_objs(const struct mtype *t, struct objs *o);
void free_objs(struct objs *o);

/* ---- matrix_reference.c: batch semantics from single-element commands ---- */

struct refusal {
	bool cmd[C_NUM];
};

/* What the kernel refuses for the type, from a scratch map (--reference). */
struct refusal probe_refusals(const struct mtype *t);
extern struct refusal ref_refusal;	/* the current type's */
int ref_lookup(struct cell *c, bool del, void *in, void *out, void *keys, void *vals,
	       uint32_t *count);
int ref_update(struct cell *c, const void *keys, const void *vals, uint32_t *count);
int ref_delete(struct cell *c, const void *keys, uint32_t *count);

/* ---- matrix_scenarios.c: the scenarios, their lines ---------------------- */

void add_line(struct cell *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int scenario_lookup(struct cell *c, bool del);
int scenario_write(struct cell *c, enum cmd cmd, int lo, int hi, int gen, const char *tag);
void fill(struct cell *c);
void read_back(struct cell *c);

#endif
