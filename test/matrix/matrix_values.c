/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* A cell's keys, values and the objects its values name (maps, programs,
 * sockets, cgroups, perf events), and how an element is printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "platform/fdinfo.h"
#include "matrix.h"
#include "value_objs.h"

void make_key(const struct mtype *t, int i, void *key)
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
void missing_key(const struct mtype *t, void *key)
{
	memset(key, 0xfe, t->key_size);
}

static void bytes_pattern(uint8_t *p, uint32_t n, int i, int gen, int cpu)
{
	for (uint32_t b = 0; b < n; b++)
		p[b] = (uint8_t)(i * 16 + gen * 7 + cpu * 3 + (int)b + 1);
}

/* Value of element @i in generation @gen (0: the fill, 1: the update). */
void make_value(struct cell *c, int i, int gen, void *val)
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

void hex(char *out, const void *p, uint32_t n)
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
void render(struct cell *c, const void *key, const void *val, char *out, size_t size)
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

/* Map and prog ids from fdinfo (the platform's one reader): OBJ_GET_INFO_BY_FD
 * needs 4.13, and this program also runs on simulated older kernels. */
static uint64_t fdinfo_id(int fd, bool prog)
{
	struct bb_fdinfo fi;

	if (bb_fdinfo_get(0, fd, &fi))
		return 0;
	return prog ? fi.prog_id : fi.is_map ? fi.map.id : 0;
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

int inner_map(void)
{
	return bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
}

/* Two objects per key of the universe, so that an update never stores an
 * object that another slot still holds (a socket fits in one slot only). */
void make_objs(const struct mtype *t, struct objs *o)
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
			id = fd >= 0 ? fdinfo_id(fd, false) : 0;
			break;
		case V_PROGFD:
			fd = load_prog();
			id = fd >= 0 ? fdinfo_id(fd, true) : 0;
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

void free_objs(struct objs *o)
{
	for (int j = 0; j < o->n; j++)
		if (o->fd[j] >= 0)
			close(o->fd[j]);
	o->n = 0;
}
