/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The coverage-matrix client: for every map type this machine can create and
 * each of the four batch commands, one canonical scenario through libbpf's
 * bpf_map_*_batch() on a fresh map, printed as one line per cell:
 *
 *	TYPE CMD RESULT DIGEST
 *
 * RESULT is "ok" or "errno N"; DIGEST hashes everything the caller could
 * observe that does not depend on hash order or on how the work was split
 * into calls: the sorted returned pairs, the per-call (errno, count) of the
 * writing commands, and the map's final contents read back with
 * single-element commands. Object ids and socket cookies are replaced by the
 * index of the object the test created, so that two runs compare. Every
 * buffer a batch command gets ends at a PROT_NONE page (tokens are exactly
 * the type's token size), and a byte changed before one is a line too.
 *
 * With --reference the same scenarios run with each batch command replaced by
 * a loop of single-element commands with the batch command's semantics: the
 * ground truth for cells the running kernel refuses (524). With --dump the
 * text behind every digest is printed too.
 *
 * Each cell is announced on stderr ("matrix: cell TYPE CMD") so that a
 * caller running us under BPFBATCH_LOG=1 can attribute the shim's log lines.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/maptypes.h"
#include "platform/uapi.h"

#include "edge.h"
#include "value_objs.h"

#define BATCH 5		/* elements per call: several calls per scenario */
#define MAX_ELEMS 256	/* lookup buffers, enough to grow past any bucket */
#define MAX_OBJS 32	/* fds stored as values: 2 per key of the universe */
#define MAX_CALLS 200	/* a walk that does not end is a failure, not a hang */
#define MAX_LINES 512

enum cmd { C_LOOKUP, C_LOOKUP_AND_DELETE, C_UPDATE, C_DELETE, C_NUM };

static const char *const cmd_names[C_NUM] = {
	"LOOKUP", "LOOKUP_AND_DELETE", "UPDATE", "DELETE",
};

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

/* CPUMAP keys are CPU numbers; filled in from the possible-CPU count. */
static struct mtype types[] = {
	{ BB_MAP_TYPE_HASH, 4, 8, 64, 0, K_SPARSE, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_PERCPU_HASH, 4, 8, 64, 0, K_SPARSE, V_TABLE, 16, 12, false },
	/* Far from full: an LRU map evicts before it is full when one CPU's
	 * share of free nodes runs out. */
	{ BB_MAP_TYPE_LRU_HASH, 4, 8, 1024, 0, K_SPARSE, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 1024, 0, K_SPARSE, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_ARRAY, 4, 8, 16, 0, K_INDEX, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_PERCPU_ARRAY, 4, 8, 16, 0, K_INDEX, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_LPM_TRIE, 8, 8, 64, BPF_F_NO_PREALLOC, K_LPM, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 16, 0, K_INDEX, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_HASH_OF_MAPS, 4, 4, 64, 0, K_SPARSE, V_TABLE, 16, 12, false },
	/* Only bpf_get_stackid() fills it: empty here. */
	{ BB_MAP_TYPE_STACK_TRACE, 4, 32, 16, 0, K_INDEX, V_TABLE, 16, 0, false },
	{ BB_MAP_TYPE_PROG_ARRAY, 4, 4, 8, 0, K_INDEX, V_TABLE, 8, 6, false },
	{ BB_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, K_INDEX, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4, 0, K_INDEX, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_DEVMAP, 4, 4, 8, 0, K_INDEX, V_IFINDEX, 8, 6, false },
	{ BB_MAP_TYPE_DEVMAP_HASH, 4, 4, 16, 0, K_SPARSE, V_IFINDEX, 16, 12, false },
	{ BB_MAP_TYPE_CPUMAP, 4, 4, 0, 0, K_INDEX, V_QSIZE, 0, 0, false },
	/* An unbound socket: updates fail per element (EOPNOTSUPP), which
	 * still tests that the error and count come through. */
	{ BB_MAP_TYPE_XSKMAP, 4, 4, 4, 0, K_INDEX, V_TABLE, 4, 3, false },
	/* value_size 8: lookups return the socket cookie (4 → ENOSPC). */
	{ BB_MAP_TYPE_SOCKMAP, 4, 8, 8, 0, K_INDEX, V_TABLE, 8, 6, false },
	{ BB_MAP_TYPE_SOCKHASH, 4, 8, 16, 0, K_SPARSE, V_TABLE, 16, 12, false },
	{ BB_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, 8, 4, 0, K_INDEX, V_TABLE, 4, 3, true },
	/* Only an attached cgroup program creates elements: empty here. */
	{ BB_MAP_TYPE_CGROUP_STORAGE, 16, 8, 0, 0, K_CGSTORAGE, V_TABLE, 4, 0, false },
	{ BB_MAP_TYPE_PERCPU_CGROUP_STORAGE, 16, 8, 0, 0, K_CGSTORAGE, V_TABLE, 4, 0, false },
	/* No key iteration at all: every command is the kernel's 524. */
	{ BB_MAP_TYPE_QUEUE, 0, 8, 16, 0, K_NONE, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_STACK, 0, 8, 16, 0, K_NONE, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, 0, K_NONE, V_TABLE, 4, 3, false },
	{ BB_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, K_NONE, V_TABLE, 4, 0, false },
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

static int ncpus;
static bool reference, dump;

/* The type's name as the matrix prints it: the table's, in capitals. */
static const char *tname(const struct mtype *t)
{
	static char names[BB_MAP_TYPE_COUNT][32];
	char *n = names[t->type];
	const char *s = bb_maptype_name(t->type);

	if (!n[0])
		for (size_t i = 0; s[i] && i + 1 < sizeof(names[0]); i++)
			n[i] = (char)toupper((unsigned char)s[i]);
	return n;
}

/* What the values are: the scenario's choice, else the table's facts. */
static enum vkind vk(const struct mtype *t)
{
	struct bb_value_fd fd;

	if (t->values != V_TABLE)
		return t->values;
	if (bb_maptype_percpu(t->type))
		return V_PERCPU;
	if (!bb_maptype_value_fd(t->type, t->value_size, &fd))
		return V_PLAIN;
	switch (fd.kind) {
	case BB_FD_MAP:
		return V_MAPFD;
	case BB_FD_PROG:
		return V_PROGFD;
	case BB_FD_SOCK:
		return t->value_size == sizeof(uint64_t) ? V_SOCKFD : V_SOCKFD_XSK;
	case BB_FD_CGROUP:
		return V_CGROUPFD;
	case BB_FD_PERF_EVENT:
		return V_PERFFD;
	default:
		return V_PLAIN;
	}
}

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

static void add_line(struct cell *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_line(struct cell *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (c->nlines == MAX_LINES) {
		c->overflow = true;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		c->overflow = true;
		return;
	}
	c->lines[c->nlines++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- keys, values, objects ---------------------------------------------- */

static void make_key(const struct mtype *t, int i, void *key)
{
	uint32_t u;

	memset(key, 0, t->key_size);
	switch (t->kk) {
	case K_INDEX:
		u = (uint32_t)i;
		memcpy(key, &u, 4);
		break;
	case K_SPARSE:
		u = 100 + (uint32_t)i * 37;
		memcpy(key, &u, 4);
		break;
	case K_LPM: {
		uint8_t *k = key;

		u = 24;
		memcpy(k, &u, 4);
		k[4] = 10;
		k[5] = 1;
		k[6] = (uint8_t)i;
		break;
	}
	case K_CGSTORAGE: {
		uint64_t ino = 1000 + (uint64_t)i;

		memcpy(key, &ino, 8);
		break;
	}
	case K_NONE:
		break;
	}
}

/* A key no scenario uses: where GET_NEXT_KEY starts the read-back walk.
 * It is not NULL because before 4.12 a NULL key is EFAULT. */
static void missing_key(const struct mtype *t, void *key)
{
	memset(key, 0xfe, t->key_size);
}

static void bytes_pattern(uint8_t *p, uint32_t n, int i, int gen, int cpu)
{
	for (uint32_t b = 0; b < n; b++)
		p[b] = (uint8_t)(i * 16 + gen * 7 + cpu * 3 + (int)b + 1);
}

/* Value of element @i in generation @gen (0: the fill, 1: the update). */
static void make_value(struct cell *c, int i, int gen, void *val)
{
	const struct mtype *t = c->t;
	int obj = i + gen * t->universe;
	uint32_t u;
	uint64_t q;

	memset(val, 0, c->stride);
	switch (vk(t)) {
	case V_TABLE: /* never: vk() resolves it */
	case V_PLAIN:
		bytes_pattern(val, t->value_size, i, gen, 0);
		break;
	case V_PERCPU: {
		uint32_t per = (t->value_size + 7) & ~7U;

		for (int cpu = 0; cpu < ncpus; cpu++)
			bytes_pattern((uint8_t *)val + cpu * per, per, i, gen, cpu);
		break;
	}
	case V_MAPFD:
	case V_PROGFD:
	case V_CGROUPFD:
	case V_PERFFD:
	case V_SOCKFD_XSK:
		u = obj < c->o.n ? (uint32_t)c->o.fd[obj] : (uint32_t)-1;
		memcpy(val, &u, 4);
		break;
	case V_SOCKFD:
		q = obj < c->o.n ? (uint64_t)c->o.fd[obj] : (uint64_t)-1;
		memcpy(val, &q, 8);
		break;
	case V_IFINDEX:
		u = 1;
		memcpy(val, &u, 4);
		break;
	case V_QSIZE:
		u = 192 + (uint32_t)i + (uint32_t)gen * 16;
		memcpy(val, &u, 4);
		break;
	}
}

static void hex(char *out, const void *p, uint32_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;

	for (uint32_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* "key=value", with ids and cookies replaced by the object's index. */
static void render(struct cell *c, const void *key, const void *val, char *out, size_t size)
{
	const struct mtype *t = c->t;
	char kh[2 * 64 + 1], vh[2 * 512 + 1];
	uint64_t id = 0;
	bool is_id = false;

	hex(kh, key, t->key_size);
	if (vk(t) == V_MAPFD || vk(t) == V_PROGFD) {
		uint32_t u;

		memcpy(&u, val, 4);
		id = u;
		is_id = true;
	} else if (vk(t) == V_SOCKFD) {
		memcpy(&id, val, 8);
		is_id = true;
	}
	if (is_id) {
		for (int j = 0; j < c->o.n; j++)
			if (c->o.id[j] == id) {
				snprintf(out, size, "%s=obj%d", kh, j);
				return;
			}
		snprintf(out, size, "%s=unknown-id", kh);
		return;
	}
	hex(vh, val, c->stride < 512 ? c->stride : 512);
	snprintf(out, size, "%s=%s", kh, vh);
}

/* Map and prog ids from fdinfo: OBJ_GET_INFO_BY_FD needs 4.13, and this
 * program also runs on simulated older kernels. */
static uint64_t fdinfo_id(int fd, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	uint64_t id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			id = strtoull(line + len + 1, NULL, 10);
	fclose(f);
	return id;
}

static int load_prog(void)
{
	/* r0 = 0; exit: a socket filter that drops everything. */
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns, 2, NULL);
}

static int inner_map(void)
{
	return bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
}

/* Two objects per key of the universe, so that an update never stores an
 * object that another slot still holds (a socket fits in one slot only). */
static void make_objs(const struct mtype *t, struct objs *o)
{
	int want = 2 * t->universe, fd;

	memset(o, 0, sizeof(*o));
	if (want > MAX_OBJS)
		want = MAX_OBJS;
	for (int j = 0; j < want; j++) {
		uint64_t id = 0;
		socklen_t len = sizeof(id);

		switch (vk(t)) {
		case V_MAPFD:
			fd = inner_map();
			id = fd >= 0 ? fdinfo_id(fd, "map_id") : 0;
			break;
		case V_PROGFD:
			fd = load_prog();
			id = fd >= 0 ? fdinfo_id(fd, "prog_id") : 0;
			break;
		case V_SOCKFD:
		case V_SOCKFD_XSK:
			fd = vo_udp_socket(t->reuseport);
			if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_COOKIE, &id, &len))
				id = 0;
			break;
		case V_CGROUPFD:
			fd = vo_cgroup();
			break;
		case V_PERFFD:
			fd = vo_perf_event();
			break;
		default:
			return;
		}
		o->fd[o->n] = fd;
		o->id[o->n] = id;
		o->n++;
	}
}

static void free_objs(struct objs *o)
{
	for (int j = 0; j < o->n; j++)
		if (o->fd[j] >= 0)
			close(o->fd[j]);
	o->n = 0;
}

static int create_map(const struct mtype *t)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = t->map_flags);
	int inner = -1, fd;

	if (vk(t) == V_MAPFD) {
		inner = inner_map();
		if (inner < 0)
			return inner;
		opts.inner_map_fd = (uint32_t)inner;
	}
	fd = bpf_map_create((enum bpf_map_type)t->type, NULL, t->key_size, t->value_size,
			    t->max_entries, &opts);
	if (inner >= 0)
		close(inner);
	return fd < 0 ? -errno : fd;
}

static uint32_t value_stride(const struct mtype *t)
{
	return bb_maptype_value_stride(t->type, t->value_size, (unsigned int)ncpus);
}

/* ---- the reference: batch semantics from single-element commands ------- */

/*
 * Which commands make sense for a type is decided by the kernel's own
 * single-element answers on a scratch map of the type, never by a table:
 * a type-level refusal is what the syscall says whatever the data —
 * no key iteration (GET_NEXT_KEY is EINVAL/524/95), a lookup the syscall
 * refuses (524, 95), a delete or update it refuses for valid data (EINVAL,
 * e.g. array slots, stack traces). Such a batch command is the kernel's 524.
 */
struct refusal {
	bool cmd[C_NUM];
};

static struct refusal probe_refusals(const struct mtype *t)
{
	struct refusal rf = { { false } };
	struct cell c = { .t = t, .stride = value_stride(t) };
	uint8_t key[64], val[4096];
	int fd, err;

	fd = create_map(t);
	if (fd < 0)
		return rf;
	c.fd = fd;
	make_objs(t, &c.o);

	err = bpf_map_get_next_key(fd, NULL, key);
	if (err && err != -ENOENT) {
		for (int i = 0; i < C_NUM; i++)
			rf.cmd[i] = true;
		goto out;
	}
	make_key(t, 0, key);
	err = bpf_map_lookup_elem(fd, key, val);
	if (err == -BB_ENOTSUPP || err == -EOPNOTSUPP)
		rf.cmd[C_LOOKUP] = rf.cmd[C_LOOKUP_AND_DELETE] = true;
	make_value(&c, 0, 0, val);
	err = bpf_map_update_elem(fd, key, val, BPF_ANY);
	if (err == -EINVAL)
		rf.cmd[C_UPDATE] = true;
	err = bpf_map_delete_elem(fd, key);
	if (err == -EINVAL)
		rf.cmd[C_DELETE] = rf.cmd[C_LOOKUP_AND_DELETE] = true;
out:
	close(fd);
	free_objs(&c.o);
	return rf;
}

static struct refusal ref_refusal;

/* A lookup batch as the generic walk does it, but skipping vanished keys
 * (6.14+) and taking the token as "the last key returned". */
static int ref_lookup(struct cell *c, bool del, void *in, void *out, void *keys, void *vals,
		      uint32_t *count)
{
	const struct mtype *t = c->t;
	uint8_t prev[64], next[64];
	uint32_t n = 0;
	bool have_prev = in != NULL;
	int err = 0;

	if (ref_refusal.cmd[del ? C_LOOKUP_AND_DELETE : C_LOOKUP])
		return -BB_ENOTSUPP;
	if (have_prev)
		memcpy(prev, in, t->key_size);
	while (n < *count) {
		uint8_t *k = (uint8_t *)keys + n * t->key_size;
		uint8_t *v = (uint8_t *)vals + n * c->stride;

		err = bpf_map_get_next_key(c->fd, have_prev ? prev : NULL, next);
		if (err)
			break;
		memcpy(prev, next, t->key_size);
		have_prev = true;
		err = bpf_map_lookup_elem(c->fd, next, v);
		if (err == -ENOENT)
			continue;
		if (err)
			break;
		if (del && (err = bpf_map_delete_elem(c->fd, next)))
			break;
		memcpy(k, next, t->key_size);
		n++;
	}
	*count = n;
	if (n)
		memcpy(out, (uint8_t *)keys + (n - 1) * t->key_size, t->key_size);
	if (err && err != -ENOENT)
		*count = 0;
	return err;
}

static int ref_update(struct cell *c, const void *keys, const void *vals, uint32_t *count)
{
	uint32_t i;
	int err = 0;

	if (ref_refusal.cmd[C_UPDATE])
		return -BB_ENOTSUPP;
	for (i = 0; i < *count && !err; i++)
		err = bpf_map_update_elem(c->fd, (const uint8_t *)keys + i * c->t->key_size,
					  (const uint8_t *)vals + i * c->stride, BPF_ANY);
	*count = err ? i - 1 : i;
	return err;
}

static int ref_delete(struct cell *c, const void *keys, uint32_t *count)
{
	uint32_t i;
	int err = 0;

	if (ref_refusal.cmd[C_DELETE])
		return -BB_ENOTSUPP;
	for (i = 0; i < *count && !err; i++)
		err = bpf_map_delete_elem(c->fd, (const uint8_t *)keys + i * c->t->key_size);
	*count = err ? i - 1 : i;
	return err;
}

/* ---- the four scenarios --------------------------------------------------- */

static int do_lookup(struct cell *c, bool del, void *in, void *out, void *keys, void *vals,
		     uint32_t *count)
{
	if (reference)
		return ref_lookup(c, del, in, out, keys, vals, count);
	if (del)
		return bpf_map_lookup_and_delete_batch(c->fd, in, out, keys, vals, count, NULL);
	return bpf_map_lookup_batch(c->fd, in, out, keys, vals, count, NULL);
}

/* The token as a caller allocates it: the type's token size (4 bytes for
 * the hash family, key_size for the rest); the reference's own walk keeps
 * last keys. */
static uint32_t token_size(const struct mtype *t)
{
	return reference ? t->key_size : bb_maptype_token_size(t->type, t->key_size);
}

/* Nothing before any buffer may change (edge.h); what lies after it is a
 * PROT_NONE page. */
static void check_edges(struct cell *c, const struct edge *e, const char *what)
{
	if (!edge_intact(e))
		add_line(c, "bytes before %s overwritten", what);
}

/* Loop until ENOENT; the kernel's hash walk answers ENOSPC when a bucket
 * does not fit, and the documented answer is a larger buffer. Tokens, keys
 * and values each end at a PROT_NONE page. */
static int scenario_lookup(struct cell *c, bool del)
{
	const struct mtype *t = c->t;
	const uint32_t tok = token_size(t);
	struct edge in, out, keys = { 0 }, vals = { 0 };
	uint32_t bs = BATCH, total = 0;
	bool first = true;
	int err = -EIO, calls;

	edge_new(&in, tok);
	edge_new(&out, tok);
	for (calls = 0; calls < MAX_CALLS; calls++) {
		uint32_t count = bs;

		if (!keys.map || keys.len != (size_t)bs * t->key_size ||
		    vals.len != (size_t)bs * c->stride) {
			edge_free(&keys);
			edge_free(&vals);
			edge_new(&keys, (size_t)bs * t->key_size);
			edge_new(&vals, (size_t)bs * c->stride);
		}
		memset(out.p, 0, tok);
		edge_arm(&out);
		edge_arm(&keys);
		edge_arm(&vals);
		err = do_lookup(c, del, first ? NULL : in.p, out.p, keys.p, vals.p, &count);
		check_edges(c, &in, "in_batch");
		check_edges(c, &out, "out_batch");
		check_edges(c, &keys, "keys");
		check_edges(c, &vals, "values");
		if (err == -ENOSPC && !reference && 2 * bs <= MAX_ELEMS) {
			bs *= 2;
			continue;
		}
		if (err && err != -ENOENT)
			break;
		for (uint32_t i = 0; i < count && i < bs; i++) {
			char s[2048];

			render(c, keys.p + i * t->key_size, vals.p + i * c->stride, s, sizeof(s));
			add_line(c, "got %s", s);
		}
		total += count;
		if (err == -ENOENT)
			break;
		memcpy(in.p, out.p, tok);
		edge_arm(&in);
		first = false;
	}
	if (calls == MAX_CALLS)
		err = -ELOOP;
	add_line(c, "returned %u", total);
	edge_free(&in);
	edge_free(&out);
	edge_free(&keys);
	edge_free(&vals);
	return err == -ENOENT ? 0 : err;
}

/* Elements [lo, hi) in calls of BATCH, recording each call's answer: these
 * are deterministic for the writing commands (no hash order involved). */
static int scenario_write(struct cell *c, enum cmd cmd, int lo, int hi, int gen, const char *tag)
{
	const struct mtype *t = c->t;
	int first_err = 0;

	for (int i = lo; i < hi; i += BATCH) {
		uint32_t n = (uint32_t)(hi - i < BATCH ? hi - i : BATCH), count = n;
		struct edge keys, vals; /* read exactly n elements, no more */
		int err;

		edge_new(&keys, (size_t)n * t->key_size);
		edge_new(&vals, (size_t)n * c->stride);
		for (uint32_t j = 0; j < n; j++) {
			make_key(t, i + (int)j, keys.p + j * t->key_size);
			make_value(c, i + (int)j, gen, vals.p + j * c->stride);
		}
		if (cmd == C_UPDATE)
			err = reference ? ref_update(c, keys.p, vals.p, &count) :
					  bpf_map_update_batch(c->fd, keys.p, vals.p, &count, NULL);
		else
			err = reference ? ref_delete(c, keys.p, &count) :
					  bpf_map_delete_batch(c->fd, keys.p, &count, NULL);
		/* count is not touched on a refusal: report it as is */
		add_line(c, "%s call %d: err %d count %u/%u", tag, i, -err, count, n);
		check_edges(c, &keys, "keys");
		check_edges(c, &vals, "values");
		if (err && !first_err)
			first_err = err;
		edge_free(&keys);
		edge_free(&vals);
	}
	return first_err;
}

/* Identical in every run: single-element updates, whose errors (types that
 * cannot be filled from user space) are part of the digest. */
static void fill(struct cell *c)
{
	const struct mtype *t = c->t;
	uint8_t key[64], val[4096];

	for (int i = 0; i < t->fill; i++) {
		int err;

		make_key(t, i, key);
		make_value(c, i, 0, val);
		err = bpf_map_update_elem(c->fd, t->key_size ? key : NULL, val, BPF_ANY);
		if (err)
			add_line(c, "fill %d: err %d", i, -err);
	}
}

/*
 * The final contents, with single-element commands that exist on every
 * kernel the matrix simulates. LPM tries have no GET_NEXT_KEY before 4.16,
 * so they are read by exact lookups of the universe (the prefixes are
 * disjoint, so a lookup finds only itself). Where the syscall refuses
 * lookups, a (destructive: the map is thrown away next) delete tells which
 * slots were set.
 */
static void read_back(struct cell *c)
{
	const struct mtype *t = c->t;
	uint8_t key[64], next[64], val[4096];
	char s[2048];
	int err, n = 0;

	if (t->kk == K_LPM) {
		for (int i = 0; i < t->universe; i++) {
			make_key(t, i, key);
			err = bpf_map_lookup_elem(c->fd, key, val);
			if (!err) {
				render(c, key, val, s, sizeof(s));
				add_line(c, "final %s", s);
			} else if (err != -ENOENT) {
				add_line(c, "final %d: err %d", i, -err);
			}
		}
		return;
	}
	missing_key(t, key);
	for (;;) {
		err = bpf_map_get_next_key(c->fd, t->key_size ? key : NULL, next);
		if (err) {
			if (err != -ENOENT)
				add_line(c, "final walk: err %d", -err);
			break;
		}
		if (++n > 4 * MAX_ELEMS) {
			add_line(c, "final walk: endless");
			break;
		}
		memcpy(key, next, t->key_size);
		err = bpf_map_lookup_elem(c->fd, key, val);
		if (err == -BB_ENOTSUPP || err == -EOPNOTSUPP) {
			hex(s, key, t->key_size);
			err = bpf_map_delete_elem(c->fd, key);
			add_line(c, "final %s: %s", s, err == 0 ? "set" :
				 err == -ENOENT ? "empty" : "delete failed");
		} else if (!err) {
			render(c, key, val, s, sizeof(s));
			add_line(c, "final %s", s);
		} else if (err != -ENOENT) {
			hex(s, key, t->key_size);
			add_line(c, "final %s: err %d", s, -err);
		}
	}
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ULL;
	}
	return h ^ '\n';
}

static void run_cell(const struct mtype *t, enum cmd cmd)
{
	struct cell c = { .t = t, .stride = value_stride(t) };
	int hi = t->fill / 2 + 10, del_hi, err;
	uint64_t h = 0xcbf29ce484222325ULL;
	int got = 0, final = 0;
	char result[32];

	if (hi > t->universe)
		hi = t->universe;
	/* Leave two elements so the read-back sees survivors; a map that
	 * cannot be filled still gets deletes, to compare their errors. */
	del_hi = t->fill > 2 ? t->fill - 2 : t->fill ? t->fill : t->universe;
	if (del_hi > 10)
		del_hi = 10;
	fprintf(stderr, "matrix: cell %s %s\n", tname(t), cmd_names[cmd]);
	c.fd = create_map(t);
	if (c.fd < 0) {
		printf("%s %s skip errno=%d\n", tname(t), cmd_names[cmd], -c.fd);
		return;
	}
	make_objs(t, &c.o);
	fill(&c);

	switch (cmd) {
	case C_LOOKUP:
	case C_LOOKUP_AND_DELETE:
		err = scenario_lookup(&c, cmd == C_LOOKUP_AND_DELETE);
		break;
	case C_UPDATE:
		/* half overwrites present keys, half adds new ones */
		err = scenario_write(&c, C_UPDATE, t->fill / 2, hi, 1, "update");
		break;
	case C_DELETE:
	default:
		err = scenario_write(&c, C_DELETE, 0, del_hi, 0, "delete");
		/* then a key that is not there: ENOENT and a partial count
		 * where the type says so (not for every array-like type) */
		if (t->universe > 0)
			scenario_write(&c, C_DELETE, t->universe - 1, t->universe, 0, "tail");
		break;
	}
	read_back(&c);

	if (err)
		snprintf(result, sizeof(result), "errno=%d", -err);
	else
		snprintf(result, sizeof(result), "ok");
	qsort(c.lines, (size_t)c.nlines, sizeof(c.lines[0]), cmp_str);
	for (int i = 0; i < c.nlines; i++) {
		h = fnv1a(h, c.lines[i]);
		got += !strncmp(c.lines[i], "got ", 4);
		final += !strncmp(c.lines[i], "final ", 6);
	}
	printf("%s %s %s n=%d,final=%d,h=%016llx%s\n", tname(t), cmd_names[cmd], result, got,
	       final, (unsigned long long)h, c.overflow ? ",overflow" : "");
	for (int i = 0; i < c.nlines; i++) {
		if (dump)
			printf("#   %s\n", c.lines[i]);
		free(c.lines[i]);
	}
	close(c.fd);
	free_objs(&c.o);
}

static int possible_cpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? n : 1;
}

int main(int argc, char **argv)
{
	const char *only = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reference"))
			reference = true;
		else if (!strcmp(argv[i], "--dump"))
			dump = true;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--reference] [--dump] [--only TYPE]\n", argv[0]);
			return 2;
		}
	}
	/* line-buffered: a caller sees complete lines even if we crash */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = possible_cpus();
	for (size_t i = 0; i < NTYPES; i++) {
		if (types[i].type == BB_MAP_TYPE_CPUMAP) {
			/* keys are CPU numbers; one CPU filled, the rest added */
			types[i].max_entries = (uint32_t)ncpus;
			types[i].universe = ncpus;
			types[i].fill = ncpus > 1 ? ncpus - 1 : 1;
		}
	}
	for (size_t i = 0; i < NTYPES; i++) {
		if (only && strcmp(only, tname(&types[i])))
			continue;
		if (reference)
			ref_refusal = probe_refusals(&types[i]);
		for (int cmd = 0; cmd < C_NUM; cmd++)
			run_cell(&types[i], (enum cmd)cmd);
	}
	return 0;
}
