/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfbatch-fuzz: differential fuzzer of the emulated batch commands against
 * this kernel's own (issue 12 part 4). See test/fuzz/README.md.
 *
 * Every run prints its seed; "--seed N" replays it exactly, and a failure
 * prints the options that rerun just the failing sequence, then a minimal
 * reproduction. Exit status: 0 no difference, 1 differences, 2 usage,
 * 77 skipped (not root / no bpf).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "seq.h"

static const struct fz_cfg configs[] = {
	{ .name = "sim-5.4", .kernel = "5.4", .lpm_walks = true, .share = 35 },
	{ .name = "sim-4.14", .kernel = "4.14", .share = 10 }, /* slow: notify per call */
	{ .name = "emulate", .emulate = true, .lpm_walks = true, .share = 30 },
	{ .name = "api-sim-5.4", .kernel = "5.4", .api = true, .lpm_walks = true, .share = 25 },
	/* not by default: the shim passes through, so any failure is the fuzzer's */
	{ .name = "passthrough", .lpm_walks = true, .passthrough = true },
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

struct opts {
	uint64_t seed;
	uint64_t calls;
	unsigned cfg_mask;
	unsigned kinds;
	unsigned skip;
	long seq;		/* only this sequence number, or -1 */
	unsigned max_fail;
	unsigned shrink_runs;
	const char *only;	/* count only failures whose rule contains this */
	const char *ignore;	/* a known-open rule: reported, not counted */
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfbatch-fuzz [--seed N] [--calls N] [--config NAME]... [--kind KIND]...\n"
		"                     [--seq N] [--skip WHAT]... [--max-fail N] [--shrink-runs N]\n"
		"  --calls N      batch calls in all (both sides count; default 250000)\n"
		"  --config NAME  sim-5.4 sim-4.14 emulate api-sim-5.4 (default: these four), or\n"
		"                 passthrough (a self-test: both sides are this kernel)\n"
		"  --kind KIND    hash percpu_hash lru_hash lru_percpu_hash array percpu_array\n"
		"                 lpm8 lpm20 hash_of_maps (default: all)\n"
		"  --seq N        run only sequence N of the seed (with --config: one sequence)\n"
		"  --skip WHAT    do not generate: %s\n"
		"  --max-fail N   stop after N failing sequences (default 3)\n"
		"  --only RULE    count only failures whose rule contains RULE (e.g. overwrite)\n"
		"  --ignore RULE  report failures whose rule contains RULE but do not count them\n"
		"  --shrink-runs N  replays to minimise each failure (default 1500, 0: none)\n",
		fz_skip_names());
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'C' },
		{ "kind", required_argument, NULL, 'k' },
		{ "seq", required_argument, NULL, 'q' },
		{ "skip", required_argument, NULL, 'S' },
		{ "max-fail", required_argument, NULL, 'm' },
		{ "only", required_argument, NULL, 'o' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "shrink-runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, v;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			o->calls = strtoull(optarg, NULL, 0);
			break;
		case 'C':
			v = -1;
			for (unsigned i = 0; i < NCONFIGS; i++)
				if (!strcmp(optarg, configs[i].name))
					v = (int)i;
			if (v < 0)
				goto bad;
			o->cfg_mask |= 1u << v;
			break;
		case 'k':
			if ((v = fz_kind_parse(optarg)) < 0)
				goto bad;
			o->kinds |= 1u << v;
			break;
		case 'q':
			o->seq = strtol(optarg, NULL, 0);
			break;
		case 'S':
			if (!fz_skip_parse(optarg))
				goto bad;
			o->skip |= fz_skip_parse(optarg);
			break;
		case 'm':
			o->max_fail = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			o->only = optarg;
			break;
		case 'i':
			o->ignore = optarg;
			break;
		case 'r':
			o->shrink_runs = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
bad:
	fprintf(stderr, "bpfbatch-fuzz: unknown value '%s'\n", optarg);
	usage(stderr);
	return -1;
}

/* Sequence n of a configuration: its own seed, reproducible alone. */
static uint64_t seq_seed(uint64_t seed, unsigned cfg, uint64_t n)
{
	return fz_mix(seed ^ fz_mix(cfg + 1) ^ fz_mix(n * 0x9e3779b97f4a7c15ULL + 7));
}

static enum fz_kind seq_kind(uint64_t sseed, unsigned kinds)
{
	unsigned list[FZ_NKINDS], n = 0;

	for (unsigned k = 0; k < FZ_NKINDS; k++)
		if (kinds & (1u << k))
			list[n++] = k;
	return (enum fz_kind)list[fz_mix(sseed) % n];
}

static void report(struct fz_ctx *x, const struct opts *o, uint64_t n, struct fz_seq *seq,
		   const struct fz_fail *f)
{
	uint32_t nops = seq->nops, nfill = seq->nfill;
	unsigned runs = 0;

	printf("\nFAIL [%s] seq %" PRIu64 " (%s): %s at op %u\n  %s\n", x->cfg->name, n,
	       fz_kind_name(seq->kind), f->check, f->op, f->msg);
	printf("  reproduce: bpfbatch-fuzz --seed 0x%" PRIx64 " --config %s --seq %" PRIu64 "%s\n",
	       o->seed, x->cfg->name, n, o->skip ? " (plus the same --skip options)" : "");
	if (o->shrink_runs)
		runs = fz_seq_shrink(x, seq, f, o->shrink_runs);
	printf("  minimal reproduction (%u of %u ops, %u of %u initial elements; %u replays):\n",
	       seq->nops, nops, seq->nfill, nfill, runs);
	fz_seq_print(x, seq, stdout);
	fflush(stdout);
}

static unsigned run_config(unsigned ci, const struct opts *o, struct fz_ctx *x, uint64_t budget,
			   unsigned *failures)
{
	struct fz_link peer;
	double t0 = now(), t_seq = 0;
	uint64_t n = o->seq >= 0 ? (uint64_t)o->seq : 0, seqs = 0, calls0 = x->calls, ignored = 0;
	char last[48] = "";

	x->cfg = &configs[ci];
	if (fz_link_start(&peer, x->cfg, x->pool->fd, FZ_POOL)) {
		printf("FAIL [%s] cannot start the peer: %s\n", x->cfg->name, peer.died);
		fz_link_stop(&peer);
		++*failures;
		return 1;
	}
	x->peer = &peer;
	for (; x->calls - calls0 < budget && *failures < o->max_fail; n++) {
		uint64_t sseed = seq_seed(o->seed, ci, n);
		unsigned kinds = o->kinds;
		struct fz_seq seq;
		struct fz_fail f;

		if (!configs[ci].lpm_walks && (kinds & ~((1u << FZ_LPM8) | (1u << FZ_LPM20))))
			kinds &= ~((1u << FZ_LPM8) | (1u << FZ_LPM20)); /* 524 before 4.16 */
		if (getenv("BPFBATCH_FUZZ_PEER_LOG"))
			fprintf(stderr, "@@ [%s] seq %" PRIu64 "\n", configs[ci].name, n);
		t_seq -= now();
		fz_seq_run(x, sseed, seq_kind(sseed, kinds), &seq, &f);
		t_seq += now();
		seqs++;
		if (f.failed && ((o->only && !strstr(f.check, o->only)) ||
				 (o->ignore && strstr(f.check, o->ignore)))) {
			ignored++;
			f.failed = false;
		}
		if (f.failed) {
			++*failures;
			/* the same rule again adds little: say so, do not shrink */
			if (!strcmp(f.check, last))
				printf("FAIL [%s] seq %" PRIu64 " (%s): %s again\n",
				       x->cfg->name, n, fz_kind_name(seq.kind), f.check);
			else
				report(x, o, n, &seq, &f);
			snprintf(last, sizeof(last), "%s", f.check);
			if (peer.pid < 0) { /* it died: a new one for the next sequence */
				fz_link_stop(&peer);
				if (fz_link_start(&peer, x->cfg, x->pool->fd, FZ_POOL))
					break;
			}
		}
		fz_seq_free(&seq);
		if (o->seq >= 0)
			break;
	}
	printf("[%s] %" PRIu64 " sequences, %" PRIu64 " batch calls in %.1f s (%.0f calls/s "
	       "fuzzing, reports aside)\n", x->cfg->name, seqs, x->calls - calls0, now() - t0,
	       (x->calls - calls0) / (t_seq + 1e-9));
	if (ignored && o->only)
		printf("[%s] %" PRIu64 " sequences failed other rules than --only %s\n",
		       x->cfg->name, ignored, o->only);
	else if (ignored)
		printf("[%s] %" PRIu64 " sequences failed the known-open rule --ignore %s "
		       "(not counted)\n", x->cfg->name, ignored, o->ignore);
	fflush(stdout);
	fz_link_stop(&peer);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .calls = 250000, .seq = -1, .max_fail = 3, .shrink_runs = 1500 };
	struct fz_link native;
	struct fz_pool pool;
	struct fz_ctx x = { 0 };
	unsigned failures = 0, share = 0;
	double t0 = now();

	if (getrandom(&o.seed, sizeof(o.seed), 0) != sizeof(o.seed))
		o.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (parse(argc, argv, &o))
		return 2;
	if (!o.cfg_mask)
		for (unsigned i = 0; i < NCONFIGS; i++)
			o.cfg_mask |= configs[i].share ? 1u << i : 0;
	if (!o.kinds)
		o.kinds = (1u << FZ_NKINDS) - 1;
	printf("bpfbatch-fuzz: seed 0x%016" PRIx64 " (rerun with --seed 0x%" PRIx64 ")\n", o.seed,
	       o.seed);
	fflush(stdout);
	if (geteuid() != 0 || fz_pool_init(&pool)) {
		printf("bpfbatch-fuzz: skipped: needs root and bpf maps\n");
		return 77;
	}
	close(FZ_CLOSED_FD);
	signal(SIGPIPE, SIG_IGN);
	fz_link_local(&native);
	x.native = &native;
	x.pool = &pool;
	x.skip = o.skip;
	for (unsigned i = 0; i < NCONFIGS; i++)
		if (o.cfg_mask & (1u << i))
			share += configs[i].share ? configs[i].share : 100;
	for (unsigned i = 0; i < NCONFIGS && failures < o.max_fail; i++)
		if (o.cfg_mask & (1u << i))
			run_config(i, &o, &x,
				   o.calls * (configs[i].share ? configs[i].share : 100) / share,
				   &failures);
	printf("bpfbatch-fuzz: seed 0x%016" PRIx64 ": %" PRIu64 " batch calls, %" PRIu64
	       " ops in %.1f s; %u failing sequence%s\n", o.seed, x.calls, x.ops, now() - t0,
	       failures, failures == 1 ? "" : "s");
	for (int k = 0; k < FZ_NOPK; k++)
		printf("  %-13s %" PRIu64 "\n", fz_op_name(k), x.by_kind[k]);
	fz_pool_free(&pool);
	return failures ? 1 : 0;
}
