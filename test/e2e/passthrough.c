/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Issue a fixed list of syscalls through glibc syscall() and print one
 * normalised line per call: the return value or -ERRNAME, fd numbers as they
 * are, no pids or addresses. Run with and without the shim, the transcripts
 * must be identical: the shim must not change anything it does not emulate,
 * including errno after a successful call and the 5th/6th arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Only the bpf_attr fields used here, laid out as the kernel's. */
struct map_create_attr {
	uint32_t map_type, key_size, value_size, max_entries;
};

struct elem_attr {
	uint32_t map_fd, pad;
	uint64_t key, value, flags;
};

#define ERRNO_CANARY 4242

/* Print one line; read errno first, before stdio can change it. A
 * successful call must leave errno at the canary it was set to. Opaque
 * results (pids, addresses) differ run to run: only success is printed. */
static long done(const char *what, long ret, int opaque)
{
	int err = errno;

	if (ret == -1)
		printf("%-28s -%s\n", what, strerrorname_np(err) ? strerrorname_np(err) : "?");
	else if (opaque)
		printf("%-28s <value>\n", what);
	else
		printf("%-28s %ld\n", what, ret);
	if (ret != -1 && err != ERRNO_CANARY)
		printf("%-28s errno changed to %d\n", what, err);
	return ret;
}

static long ret_;

/* The comma operator orders: preset errno, call, then report. */
#define CALL(what, ...) \
	(errno = ERRNO_CANARY, ret_ = syscall(__VA_ARGS__), done(what, ret_, 0))
#define CALL_OPAQUE(what, ...) \
	(errno = ERRNO_CANARY, ret_ = syscall(__VA_ARGS__), done(what, ret_, 1))

static long elem(int cmd, const char *what, int fd, void *key, void *value)
{
	struct elem_attr a = {
		.map_fd = (uint32_t)fd,
		.key = (uintptr_t)key,
		.value = (uintptr_t)value,
	};

	return CALL(what, SYS_bpf, cmd, &a, sizeof(a));
}

int main(void)
{
	struct map_create_attr mc = { 1 /* HASH */, 4, 8, 16 };
	uint32_t key = 7, next = 0, word = 0;
	uint64_t val = 42, out = 0;
	char buf[8];
	long fd, r;
	void *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	r = CALL_OPAQUE("getpid", SYS_getpid);
	printf("%-28s %s\n", "getpid is self", r == getpid() ? "yes" : "no");
	CALL("openat missing", SYS_openat, AT_FDCWD, "/nonexistent/bpfbatch-e2e", O_RDONLY);
	CALL("read bad fd", SYS_read, -1, buf, sizeof(buf));

	fd = CALL("bpf map_create", SYS_bpf, 0, &mc, sizeof(mc));
	elem(2, "bpf update_elem", (int)fd, &key, &val);
	elem(1, "bpf lookup_elem", (int)fd, &key, &out);
	printf("%-28s %llu\n", "  value", (unsigned long long)out);
	elem(1, "bpf lookup_elem missing", (int)fd, &next, &out);
	elem(4, "bpf get_next_key NULL", (int)fd, NULL, &next);
	printf("%-28s %u\n", "  next key", next);
	elem(4, "bpf get_next_key last", (int)fd, &key, &next);
	elem(3, "bpf delete_elem", (int)fd, &key, NULL);
	elem(3, "bpf delete_elem again", (int)fd, &key, NULL);
	CALL("bpf cmd 999", SYS_bpf, 999, &mc, sizeof(mc));
	elem(1, "bpf lookup_elem fd -1", -1, &key, &out);
	CALL("bpf attr NULL", SYS_bpf, 1, NULL, 32);
	CALL("bpf size > page", SYS_bpf, 1, &mc, 4097);
	CALL("close map", SYS_close, fd);

	/* Six arguments: an unaligned offset (6th) must reach the kernel. */
	r = CALL_OPAQUE("mmap anon", SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r != -1) {
		p = (void *)r;
		memset(p, 1, 4096);
		CALL("munmap", SYS_munmap, p, 4096);
	}
	CALL("mmap offset 1", SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	     -1, 1);
	CALL("mmap bad fd", SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, 12345, 0);
	/* futex: val3 (6th) = 0 is an invalid bitset, ~0 reaches the compare. */
	CALL("futex bitset 0", SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 1,
	     NULL, NULL, 0);
	CALL("futex bitset any", SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
	     1, NULL, NULL, FUTEX_BITSET_MATCH_ANY);
	CALL("futex wake", SYS_futex, &word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL,
	     0);
	return 0;
}
