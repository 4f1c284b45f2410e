/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Command line of dpdk-test-offload: the part after EAL's "--". Parsed
 * before EAL starts, so bad input fails fast with one line naming the
 * option, the value and what is accepted. Checks that need EAL (device
 * names, memory, lcores) are made in main.c and dev.c.
 *
 * Byte counts take binary suffixes: K/KiB, M/MiB, G/GiB (64K = 65536).
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "main.h"

#define DEFAULT_SIZES	"64,256,1K,4K,64K,1M"
#define DEFAULT_BURST	32
#define DEFAULT_RING	1024
#define DEFAULT_TIME_S	1.0
#define DEFAULT_WARMUP_S 0.1
#define DEFAULT_LONG_US	20.0
/*
 * The shortest --time and --warmup (but 0, no warm-up): a run of less than
 * one TSC cycle ends before its first burst and measures nothing.
 */
#define MIN_TIME_S	1e-6
#define DEFAULT_LAT_SAMPLE TO_LAT_AUTO
#define MIN_WORKING_SET	(UINT64_C(64) << 20)
#define LLC_FACTOR	4	/* default working set: this many LLCs per side */

enum {
	OPT_SIZES = 256,
	OPT_BURST,
	OPT_RING,
	OPT_WORKING_SET,
	OPT_TIME,
	OPT_OPS,
	OPT_WARMUP,
	OPT_VERIFY,
	OPT_DEV,
	OPT_MODE,
	OPT_LCORE,
	OPT_NO_PARK,
	OPT_OFFLOAD,
	OPT_LONG_US,
	OPT_CORRUPT_OP,
	OPT_CSV,
	OPT_JSON,
	OPT_CONFIG,
	OPT_DRY_RUN,
	OPT_LAT_SAMPLE,
	OPT_DIST,
	OPT_SRC_NODE,
	OPT_DST_NODE,
	OPT_FLUSH_CACHE,
	OPT_LCORES,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_ROUNDS,
	OPT_ORDER,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "corrupt-op", required_argument, NULL, OPT_CORRUPT_OP },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "dist", required_argument, NULL, OPT_DIST },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "dst-node", required_argument, NULL, OPT_DST_NODE },
	{ "flush-cache", no_argument, NULL, OPT_FLUSH_CACHE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "lat-sample", required_argument, NULL, OPT_LAT_SAMPLE },
	{ "lcore", required_argument, NULL, OPT_LCORE },
	{ "lcores", required_argument, NULL, OPT_LCORES },
	{ "long-us", required_argument, NULL, OPT_LONG_US },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "no-park", no_argument, NULL, OPT_NO_PARK },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "offload", required_argument, NULL, OPT_OFFLOAD },
	{ "ops", required_argument, NULL, OPT_OPS },
	{ "order", required_argument, NULL, OPT_ORDER },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "ring", required_argument, NULL, OPT_RING },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "sizes", required_argument, NULL, OPT_SIZES },
	{ "src-node", required_argument, NULL, OPT_SRC_NODE },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "verify", required_argument, NULL, OPT_VERIFY },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "working-set", required_argument, NULL, OPT_WORKING_SET },
	{ NULL, 0, NULL, 0 },
};

/* --order values, by enum to_order. */
static const char *const order_keys[] = {
	[TO_ORDER_SIZE] = "size",
	[TO_ORDER_MODE] = "mode",
};

/* --verify values, by enum to_verify. */
static const char *const verify_keys[] = {
	[TO_VERIFY_OFF] = "off",
	[TO_VERIFY_SAMPLE] = "sample",
	[TO_VERIFY_ALL] = "all",
	[TO_VERIFY_PASS] = "pass",
};

/* The --verify word of a mode: "all", "pass", "sample", "off". */
const char *
to_verify_key(enum to_verify v)
{
	return (unsigned int)v < RTE_DIM(verify_keys) ? verify_keys[v] : "?";
}

/* The index of word in keys[0 .. n - 1], or -1. */
static int
word_index(const char *word, const char *const *keys, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp(word, keys[i]) == 0)
			return (int)i;
	return -1;
}

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
		"\n"
		"Copy throughput of the submitting core (libc memcpy) and of dmadevs.\n"
		"For each size and each mode, prints Mops, GB/s, submitter cycles per\n"
		"operation, idle-poll cycles per operation and completion latency\n"
		"percentiles; the copied data is verified.\n"
		"\n"
		"  --dev NAME           measure dmadev NAME (repeatable), e.g. dma_sw0;\n"
		"                       drivers come from EAL -d or DPDK's plugin folder\n"
		"  --mode LIST          cpu,dma,offload (default: cpu, plus dma when --dev is\n"
		"                       given); offload = lib/offload_copy over every --dev\n"
		"  --offload ARGS       offload mode: the library's configuration, e.g.\n"
		"                       policy=auto|cpu|engine,threshold=N,split=N|off\n"
		"                       (default: policy=auto, calibrated thresholds);\n"
		"                       up to %u times: each configuration its own rows,\n"
		"                       in turn, compared with the first\n"
		"  --sizes LIST         comma-separated sizes or ranges: 64,4K,1M or\n"
		"                       64-1M:x4 (multiply) or 1K-8K:+1K (add); 1 B .. 1 GiB\n"
		"                       (default " DEFAULT_SIZES ")\n"
		"  --dist fixed|imix|SIZE:WEIGHT,...\n"
		"                       sizes of the copies: fixed (default, one case per\n"
		"                       --sizes entry), imix (64 B:40, 512 B:30, 1518 B:20,\n"
		"                       9000 B:7, 64 KiB:3, weights by count) or custom\n"
		"                       (e.g. 64:7,594:4,1518:1): one case per mode, every\n"
		"                       mode on the same sequence of sizes\n"
		"  --burst N            operations per submit (doorbell), 1 .. ring (default %u)\n"
		"  --ring N             dmadev descriptors, nb_desc of each vchan (default %u)\n"
		"  --working-set BYTES  size of each of the source and destination pools,\n"
		"                       cycled through (default: max(64M, %u x LLC), rounded up\n"
		"                       to a power of two); at least 2 x max size x burst\n"
		"  --src-node N         NUMA node of the source pool (default: the\n"
		"                       submitter lcore's)\n"
		"  --dst-node N         NUMA node of the destination pool (same default)\n"
		"  --flush-cache        evict the CPU caches before each measured run, so\n"
		"                       every case starts cold\n"
		"  --time SECONDS       per case, 0.000001 .. 3600 (default %.1f)\n"
		"  --ops N              per case, instead of --time\n"
		"  --warmup SECONDS     unmeasured run before each case (default %.1f, 0: none);\n"
		"                       offload with cpu_help=auto: repeated (up to %u more\n"
		"                       times) until the library has measured %u epochs of\n"
		"                       its placements, its first probes out of the measure\n"
		"  --rounds N           run every mode and size N times, in turns (round 1:\n"
		"                       every case once, then round 2, ...), 1 .. %u\n"
		"                       (default 1); the summary gives the median and the\n"
		"                       range of the rounds' ratios\n"
		"  --order size|mode    within a round: each size in every mode, then the\n"
		"                       next size (size, default: the cases a ratio\n"
		"                       compares run back to back), or each mode's sizes,\n"
		"                       then the next mode (mode: each device and library\n"
		"                       instance set up once a round, not once a case)\n"
		"  --verify MODE        all (every copy, default), sample (1 in %u), off;\n"
		"                       pass: every copy, checked once a pass over the\n"
		"                       pools is delivered, with the clock stopped (one\n"
		"                       submitter lcore only)\n"
		"  --lat-sample N|auto  record the completion latency of one op in N (a power\n"
		"                       of two; 0: off); auto (default): every op of %u B and\n"
		"                       more, one in %u below. Outside the timed regions:\n"
		"                       cycles/op never include it\n"
		"  --lcore N            submit from worker lcore N (default: the main lcore)\n"
		"  --lcores LIST        submit from several lcores at once, e.g. 1,2 or 1-3:\n"
		"                       each its own pools, dmadev vchan and library queue;\n"
		"                       aggregate and per-worker rows (--ops: per worker)\n"
		"  --long-us US         dma: a timed region (one burst of enqueues, one\n"
		"                       completed() call) longer than US microseconds was\n"
		"                       interrupted: it is left out of the cycle figures and\n"
		"                       counted in 'long' (default %.0f, 0: keep all)\n"
		"  --no-park            leave service lcores running during cases that do\n"
		"                       not use them (default: parked, so that they do not\n"
		"                       compete with engines' own threads)\n"
		"  --config FILE        run the cases of an INI file, one per [section], keys\n"
		"                       named like these options (app/test-offload/config.ini);\n"
		"                       options given here are defaults for every section\n"
		"  --csv FILE           also write one CSV row per case, with every metric\n"
		"  --json FILE          also write one JSON object per case (same fields)\n"
		"  --corrupt-op N       testing: flip one byte of the N-th copy of each case\n"
		"                       after it completes; verification must catch it\n"
		"  --progress           show progress on stderr (default: when it is a terminal)\n"
		"  --no-progress        never show progress\n"
		"  --dry-run            check the options (and --config), print the cases as\n"
		"                       INI sections that --config reads back, run nothing\n"
		"                       (devices, lcores and --offload need EAL: a run checks\n"
		"                       them before its first case)\n"
		"  --help               this text\n"
		"\n"
		"Exit status: 0 success, %d a case failed (verification, device error,\n"
		"stall), %d bad command line or environment.\n",
		prog, TO_MAX_OFFLOADS, DEFAULT_BURST, DEFAULT_RING, LLC_FACTOR, DEFAULT_TIME_S,
		DEFAULT_WARMUP_S, TO_WARM_MAX_EXTRA, TO_WARM_EPOCHS, TO_MAX_ROUNDS,
		TO_VERIFY_SAMPLE_EVERY, TO_LAT_AUTO_SIZE, TO_LAT_AUTO_EVERY,
		DEFAULT_LONG_US,
		TO_EXIT_FAIL,
		TO_EXIT_USAGE);
}

/* Parse a byte count with an optional binary suffix; the whole string must
 * be used. Returns 0 or -EINVAL / -ERANGE.
 */
int
to_parse_bytes(const char *s, uint64_t *out)
{
	static const struct {
		const char *sfx;
		unsigned int shift;
	} sfx[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KB", 10 }, { "KiB", 10 }, { "k", 10 },
		{ "M", 20 }, { "MB", 20 }, { "MiB", 20 }, { "m", 20 },
		{ "G", 30 }, { "GB", 30 }, { "GiB", 30 }, { "g", 30 },
	};
	unsigned long long v;
	char *end;
	unsigned int i;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -ERANGE;
	for (i = 0; i < RTE_DIM(sfx); i++) {
		if (strcmp(end, sfx[i].sfx) != 0)
			continue;
		if (sfx[i].shift != 0 && v > (UINT64_MAX >> sfx[i].shift))
			return -ERANGE;
		*out = (uint64_t)v << sfx[i].shift;
		return 0;
	}
	return -EINVAL;
}

static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/*
 * Seconds (or microseconds): a decimal number, digits first like every
 * other number here (strtod() alone would take " 1", "+1", ".5", hex
 * floats and "inf"), an exponent allowed (1e-3, as --dry-run may write).
 */
static int
parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s < '0' || *s > '9' || strpbrk(s, "xX") != NULL)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > 3600)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * A comma-separated list has no empty item: strtok_r() would skip it, and
 * "64,,256" or "cpu," would pass for a list it is not.
 */
int
to_list_check(const char *opt, const char *arg)
{
	size_t n = strlen(arg);

	if (n == 0 || arg[0] == ',' || arg[n - 1] == ',' || strstr(arg, ",,") != NULL) {
		to_err("%s '%s': an empty item (a comma at an end, or two in a row)", opt,
			arg);
		return -EINVAL;
	}
	return 0;
}

static int
add_size(struct to_options *o, uint64_t v, const char *item)
{
	unsigned int i;

	if (v == 0 || v > TO_MAX_SIZE) {
		to_err("--sizes: %s: size %" PRIu64 " out of range: 1 B .. 1 GiB", item, v);
		return -ERANGE;
	}
	if (o->nb_sizes == TO_MAX_SIZES) {
		to_err("--sizes: more than %u sizes", TO_MAX_SIZES);
		return -E2BIG;
	}
	/* A size twice would give two rows the summaries cannot tell apart. */
	for (i = 0; i < o->nb_sizes; i++)
		if (o->sizes[i] == v) {
			to_err("--sizes: %s: size %" PRIu64 " given twice", item, v);
			return -EINVAL;
		}
	o->sizes[o->nb_sizes++] = (uint32_t)v;
	return 0;
}

/* One item: SIZE, or FROM-TO[:xMUL|:+STEP] (default :x2). */
static int
parse_size_item(struct to_options *o, char *item)
{
	char *dash = strchr(item, '-');
	char *colon = strchr(item, ':');
	uint64_t from, to, step = 2, v;
	bool mul = true;
	int ret;

	if (dash == NULL || (colon != NULL && colon < dash)) {
		if (colon != NULL || to_parse_bytes(item, &v) != 0) {
			to_err("--sizes: '%s' is not a size (e.g. 64, 4K, 1M)", item);
			return -EINVAL;
		}
		return add_size(o, v, item);
	}
	*dash = '\0';
	if (colon != NULL)
		*colon = '\0';
	if (to_parse_bytes(item, &from) != 0 || to_parse_bytes(dash + 1, &to) != 0) {
		to_err("--sizes: '%s-%s' is not a range FROM-TO[:xMUL|:+STEP]", item, dash + 1);
		return -EINVAL;
	}
	if (colon != NULL) {
		const char *s = colon + 1;

		if (*s == 'x' || *s == '*') {
			ret = parse_uint(s + 1, UINT32_MAX, &step);
		} else if (*s == '+') {
			mul = false;
			ret = to_parse_bytes(s + 1, &step);
		} else {
			ret = -EINVAL;
		}
		if (ret != 0 || step == 0 || (mul && step < 2)) {
			to_err("--sizes: range step '%s': use :xMUL (MUL >= 2) or :+STEP (STEP >= 1)", s);
			return -EINVAL;
		}
	}
	if (from == 0 || from > to) {
		to_err("--sizes: range %" PRIu64 "-%" PRIu64 ": FROM must be >= 1 and <= TO",
			from, to);
		return -EINVAL;
	}
	if (to > TO_MAX_SIZE) {
		to_err("--sizes: range end %" PRIu64 " out of range: 1 B .. 1 GiB", to);
		return -ERANGE;
	}
	/* Up to TO, never past it: a step past it (even one that would wrap
	 * around) ends the range.
	 */
	for (v = from;; v = mul ? v * step : v + step) {
		ret = add_size(o, v, item);
		if (ret != 0)
			return ret;
		if (mul ? v > to / step : step > to - v)
			return 0;
	}
}

static int
parse_sizes(struct to_options *o, const char *arg)
{
	char buf[1024], *item, *save = NULL;
	int ret;

	if (strlen(arg) >= sizeof(buf)) {
		to_err("--sizes: list too long");
		return -EINVAL;
	}
	if (to_list_check("--sizes", arg) != 0)
		return -EINVAL;
	strcpy(buf, arg);
	o->nb_sizes = 0;
	for (item = strtok_r(buf, ",", &save); item != NULL;
			item = strtok_r(NULL, ",", &save)) {
		ret = parse_size_item(o, item);
		if (ret != 0)
			return ret;
	}
	if (o->nb_sizes == 0) {
		to_err("--sizes: empty list");
		return -EINVAL;
	}
	return 0;
}

static int
add_lcore(struct to_options *o, const char *arg, uint16_t lcore)
{
	unsigned int i;

	for (i = 0; i < o->nb_lcores; i++) {
		if (o->lcores[i] == lcore) {
			to_err("--lcores %s: lcore %u given twice", arg, lcore);
			return -EINVAL;
		}
	}
	if (o->nb_lcores == TO_MAX_WORKERS) {
		to_err("--lcores %s: more than %u lcores", arg, TO_MAX_WORKERS);
		return -EINVAL;
	}
	o->lcores[o->nb_lcores++] = lcore;
	return 0;
}

/* --lcores 1,2,4-6: distinct lcore ids. */
static int
parse_lcores(struct to_options *o, const char *arg)
{
	char buf[256], *item, *save = NULL, *dash;
	uint64_t a, b, v;

	if (strlen(arg) >= sizeof(buf)) {
		to_err("--lcores: list too long");
		return -EINVAL;
	}
	if (to_list_check("--lcores", arg) != 0)
		return -EINVAL;
	strcpy(buf, arg);
	o->nb_lcores = 0;
	for (item = strtok_r(buf, ",", &save); item != NULL;
			item = strtok_r(NULL, ",", &save)) {
		dash = strchr(item, '-');
		if (dash != NULL)
			*dash = '\0';
		b = 0;
		if (parse_uint(item, RTE_MAX_LCORE - 1, &a) != 0 || (dash != NULL &&
				(parse_uint(dash + 1, RTE_MAX_LCORE - 1, &b) != 0 || b < a))) {
			to_err("--lcores %s: expected lcore ids 0 .. %u or ranges A-B, comma-separated",
				arg, RTE_MAX_LCORE - 1);
			return -EINVAL;
		}
		if (dash == NULL)
			b = a;
		for (v = a; v <= b; v++) {
			if (add_lcore(o, arg, (uint16_t)v) != 0)
				return -EINVAL;
		}
	}
	if (o->nb_lcores == 0) {
		to_err("--lcores '%s': empty list", arg);
		return -EINVAL;
	}
	return 0;
}

static int
parse_modes(struct to_options *o, const char *arg)
{
	char buf[256], *item, *save = NULL;
	unsigned int m;

	if (strlen(arg) >= sizeof(buf)) {
		to_err("--mode: list too long");
		return -EINVAL;
	}
	if (to_list_check("--mode", arg) != 0)
		return -EINVAL;
	strcpy(buf, arg);
	memset(o->modes, 0, sizeof(o->modes));
	for (item = strtok_r(buf, ",", &save); item != NULL;
			item = strtok_r(NULL, ",", &save)) {
		for (m = 0; m < TO_MODE_MAX && strcmp(item, to_mode_name(m)) != 0; m++)
			;
		if (m == TO_MODE_MAX) {
			to_err("--mode: unknown mode '%s' (accepted: cpu, dma, offload)", item);
			return -EINVAL;
		}
		o->modes[m] = true;
	}
	return 0;
}

/* Last-level cache size, or 0 when unknown. */
uint64_t
to_llc_size(void)
{
	long v = sysconf(_SC_LEVEL3_CACHE_SIZE);

	if (v <= 0)
		v = sysconf(_SC_LEVEL2_CACHE_SIZE);
	return v > 0 ? (uint64_t)v : 0;
}

/* Physical memory of the machine, or 0 when unknown. */
static uint64_t
phys_mem(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	return pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0;
}

static uint64_t
slot_stride(uint32_t size)
{
	return RTE_ALIGN_CEIL((uint64_t)size, RTE_CACHE_LINE_SIZE);
}

/* The smallest pool that holds two bursts of the largest size. */
static uint64_t
min_working_set(const struct to_options *o)
{
	return 2 * slot_stride(o->max_size) * o->burst;
}

uint64_t
to_working_set_floor(const struct to_options *o)
{
	return RTE_MAX(MIN_WORKING_SET, min_working_set(o));
}

static uint64_t
default_working_set(const struct to_options *o)
{
	uint64_t ws = RTE_MAX(MIN_WORKING_SET, LLC_FACTOR * to_llc_size());

	ws = RTE_MAX(ws, min_working_set(o));
	return rte_align64pow2(ws);
}

static int
parse_path(char *dst, size_t len, const char *opt, const char *arg)
{
	if (*arg == '\0' || strlen(arg) >= len) {
		to_err("%s '%s': expected a file name", opt, arg);
		return -EINVAL;
	}
	strcpy(dst, arg);
	return 0;
}

/*
 * The option an INI key names (the long option's name): its id, whether it
 * takes a value and whether it is run-wide (not allowed in a section).
 * Returns -1 for an unknown name.
 */
int
to_option_lookup(const char *name, bool *has_arg, bool *run_wide)
{
	unsigned int i;

	for (i = 0; long_opts[i].name != NULL; i++) {
		if (strcmp(long_opts[i].name, name) != 0)
			continue;
		*has_arg = long_opts[i].has_arg != no_argument;
		*run_wide = long_opts[i].val == OPT_CSV || long_opts[i].val == OPT_JSON ||
			long_opts[i].val == OPT_CONFIG || long_opts[i].val == OPT_HELP ||
			long_opts[i].val == OPT_DRY_RUN || long_opts[i].val == OPT_PROGRESS ||
			long_opts[i].val == OPT_NO_PROGRESS;
		return long_opts[i].val;
	}
	return -1;
}

static void
options_defaults(struct to_options *o)
{
	memset(o, 0, sizeof(*o));
	strcpy(o->name, "cmdline");
	o->burst = DEFAULT_BURST;
	o->ring = DEFAULT_RING;
	o->time_s = DEFAULT_TIME_S;
	o->warmup_s = DEFAULT_WARMUP_S;
	o->rounds = 1;
	o->order = TO_ORDER_SIZE;
	o->verify = TO_VERIFY_ALL;
	o->park = true;
	o->long_us = DEFAULT_LONG_US;
	o->lat_every = DEFAULT_LAT_SAMPLE;
	o->dist = TO_DIST_FIXED;
	strcpy(o->dist_spec, "fixed");
	o->src_node = -1;
	o->dst_node = -1;
}

/*
 * Apply one option (OPT_*) with its value: from the command line, or from
 * an INI key (config.c). Run-wide options (to_run) only come from the
 * command line; config.c refuses them in sections.
 */
int
to_option_apply(struct to_options *o, struct to_run *g, int opt, const char *arg)
{
	uint64_t v;
	unsigned int i;
	int w;

	switch (opt) {
	case OPT_SIZES:
		if (parse_sizes(o, arg) != 0)
			return -EINVAL;
		o->sizes_given = true;
		break;
	case OPT_BURST:
		if (parse_uint(arg, TO_MAX_RING, &v) != 0 || v == 0) {
			to_err("--burst %s: expected 1 .. %u", arg, TO_MAX_RING);
			return -EINVAL;
		}
		o->burst = (uint16_t)v;
		break;
	case OPT_RING:
		if (parse_uint(arg, TO_MAX_RING, &v) != 0 || v == 0) {
			to_err("--ring %s: expected 1 .. %u", arg, TO_MAX_RING);
			return -EINVAL;
		}
		o->ring = (uint16_t)v;
		break;
	case OPT_WORKING_SET:
		if (to_parse_bytes(arg, &o->working_set) != 0 || o->working_set == 0) {
			to_err("--working-set %s: expected a byte count, e.g. 256M", arg);
			return -EINVAL;
		}
		o->working_set_given = true;
		break;
	case OPT_TIME:
		if (parse_seconds(arg, &o->time_s) != 0 || o->time_s < MIN_TIME_S) {
			to_err("--time %s: expected seconds, 0.000001 .. 3600 (a shorter case"
				" copies nothing)", arg);
			return -EINVAL;
		}
		o->time_given = true;
		break;
	case OPT_OPS:
		if (parse_uint(arg, UINT64_MAX, &o->ops) != 0 || o->ops == 0) {
			to_err("--ops %s: expected a count >= 1", arg);
			return -EINVAL;
		}
		break;
	case OPT_WARMUP:
		if (parse_seconds(arg, &o->warmup_s) != 0 ||
				(o->warmup_s != 0 && o->warmup_s < MIN_TIME_S)) {
			to_err("--warmup %s: expected seconds, 0 (none) or 0.000001 .. 3600 (a"
				" shorter warm-up copies nothing)", arg);
			return -EINVAL;
		}
		break;
	case OPT_ROUNDS:
		if (parse_uint(arg, TO_MAX_ROUNDS, &v) != 0 || v == 0) {
			to_err("--rounds %s: expected 1 .. %u", arg, TO_MAX_ROUNDS);
			return -EINVAL;
		}
		o->rounds = (unsigned int)v;
		break;
	case OPT_ORDER:
		w = word_index(arg, order_keys, RTE_DIM(order_keys));
		if (w < 0) {
			to_err("--order %s: expected size or mode", arg);
			return -EINVAL;
		}
		o->order = (enum to_order)w;
		break;
	case OPT_VERIFY:
		w = word_index(arg, verify_keys, RTE_DIM(verify_keys));
		if (w < 0) {
			to_err("--verify %s: expected all, pass, sample or off", arg);
			return -EINVAL;
		}
		o->verify = (enum to_verify)w;
		break;
	case OPT_DEV:
		/* A section's dev keys replace the command line's --dev. */
		if (o->devs_replace) {
			o->nb_devs = 0;
			o->devs_replace = false;
		}
		if (o->nb_devs == TO_MAX_DEVS) {
			to_err("--dev: more than %u devices", TO_MAX_DEVS);
			return -EINVAL;
		}
		if (*arg == '\0' || strlen(arg) >= RTE_DEV_NAME_MAX_LEN) {
			to_err("--dev '%s': not a device name", arg);
			return -EINVAL;
		}
		for (i = 0; i < o->nb_devs; i++) {
			if (strcmp(o->devs[i], arg) == 0) {
				to_err("--dev %s: given twice", arg);
				return -EINVAL;
			}
		}
		strcpy(o->devs[o->nb_devs++], arg);
		break;
	case OPT_MODE:
		if (parse_modes(o, arg) != 0)
			return -EINVAL;
		o->modes_given = true;
		break;
	case OPT_LCORE:
		if (parse_uint(arg, RTE_MAX_LCORE - 1, &v) != 0) {
			to_err("--lcore %s: expected an lcore id 0 .. %u", arg,
				RTE_MAX_LCORE - 1);
			return -EINVAL;
		}
		o->lcores[0] = (uint16_t)v;
		o->nb_lcores = 1;
		break;
	case OPT_LCORES:
		if (parse_lcores(o, arg) != 0)
			return -EINVAL;
		break;
	case OPT_LONG_US:
		if (parse_seconds(arg, &o->long_us) != 0) {
			to_err("--long-us %s: expected microseconds, 0 .. 3600", arg);
			return -EINVAL;
		}
		break;
	case OPT_CORRUPT_OP:
		if (parse_uint(arg, UINT64_MAX, &o->corrupt_op) != 0 ||
				o->corrupt_op == 0) {
			to_err("--corrupt-op %s: expected an operation number >= 1", arg);
			return -EINVAL;
		}
		break;
	case OPT_OFFLOAD:
		/* A section's offload key replaces the command line's list. */
		if (o->offloads_replace) {
			o->nb_offloads = 0;
			o->offloads_replace = false;
		}
		if (o->nb_offloads == TO_MAX_OFFLOADS) {
			to_err("--offload: more than %u configurations", TO_MAX_OFFLOADS);
			return -EINVAL;
		}
		if (*arg == '\0' || strlen(arg) >= TO_OFFLOAD_LEN) {
			to_err("--offload '%s': expected the library's configuration,"
				" 1 to %u characters (e.g. policy=cpu)", arg,
				TO_OFFLOAD_LEN - 1);
			return -EINVAL;
		}
		if (strchr(arg, '|') != NULL) {
			to_err("--offload '%s': '|' separates configurations in an INI"
				" file only; give --offload once for each", arg);
			return -EINVAL;
		}
		for (i = 0; i < o->nb_offloads; i++) {
			if (strcmp(o->offloads[i], arg) == 0) {
				to_err("--offload '%s': given twice", arg);
				return -EINVAL;
			}
		}
		strcpy(o->offloads[o->nb_offloads++], arg);
		break;
	case OPT_CSV:
		if (parse_path(g->csv, sizeof(g->csv), "--csv", arg) != 0)
			return -EINVAL;
		break;
	case OPT_JSON:
		if (parse_path(g->json, sizeof(g->json), "--json", arg) != 0)
			return -EINVAL;
		break;
	case OPT_CONFIG:
		if (parse_path(g->config, sizeof(g->config), "--config", arg) != 0)
			return -EINVAL;
		break;
	case OPT_SRC_NODE:
	case OPT_DST_NODE:
		if (parse_uint(arg, RTE_MAX_NUMA_NODES - 1, &v) != 0) {
			to_err("--%s %s: expected a NUMA node 0 .. %u",
				opt == OPT_SRC_NODE ? "src-node" : "dst-node", arg,
				RTE_MAX_NUMA_NODES - 1);
			return -EINVAL;
		}
		if (opt == OPT_SRC_NODE)
			o->src_node = (int)v;
		else
			o->dst_node = (int)v;
		break;
	case OPT_FLUSH_CACHE:
		o->flush_cache = true;
		break;
	case OPT_DIST:
		if (to_dist_parse(o, arg) != 0)
			return -EINVAL;
		break;
	case OPT_LAT_SAMPLE:
		if (strcmp(arg, "auto") == 0) {
			o->lat_every = TO_LAT_AUTO;
			break;
		}
		if (parse_uint(arg, UINT32_C(1) << 30, &v) != 0 ||
				(v != 0 && !rte_is_power_of_2((uint32_t)v))) {
			to_err("--lat-sample %s: expected auto, 0 (off) or a power of two N"
				" (one op in N)", arg);
			return -EINVAL;
		}
		o->lat_every = (uint32_t)v;
		break;
	case OPT_DRY_RUN:
		g->dry_run = true;
		break;
	case OPT_PROGRESS:
		g->progress = 1;
		break;
	case OPT_NO_PROGRESS:
		g->progress = 0;
		break;
	case OPT_NO_PARK:
		o->park = false;
		break;
	default:
		to_err("option %d not handled", opt);
		return -EINVAL;
	}
	return 0;
}

/* Cross-option checks and defaults that depend on other options. */
int
to_options_finish(struct to_options *o)
{
	unsigned int i;
	int ret;

	if (o->dist != TO_DIST_FIXED) {
		/* One case per mode: the distribution; slots fit its largest size. */
		if (o->sizes_given) {
			to_err("--sizes and --dist %s exclude each other (a distribution has its"
				" own sizes)", o->dist_spec);
			return -EINVAL;
		}
		o->nb_sizes = 1;
		o->sizes[0] = 0;
		for (i = 0; i < o->nb_dist; i++)
			o->sizes[0] = RTE_MAX(o->sizes[0], o->dist_sizes[i]);
	} else if (!o->sizes_given) {
		char def[] = DEFAULT_SIZES;

		ret = parse_sizes(o, def);
		if (ret != 0)
			return ret;
	}
	for (i = 0; i < o->nb_sizes; i++)
		o->max_size = RTE_MAX(o->max_size, o->sizes[i]);

	if (o->time_given && o->ops != 0) {
		to_err("--time and --ops exclude each other");
		return -EINVAL;
	}
	if (o->burst > o->ring) {
		to_err("--burst %u is larger than --ring %u", o->burst, o->ring);
		return -EINVAL;
	}

	if (!o->modes_given) {
		o->modes[TO_MODE_CPU] = true;
		o->modes[TO_MODE_DMA] = o->nb_devs > 0;
	}
	if (o->modes[TO_MODE_DMA] && o->nb_devs == 0) {
		to_err("--mode dma needs at least one --dev NAME");
		return -EINVAL;
	}
	if (!o->modes[TO_MODE_DMA] && !o->modes[TO_MODE_OFFLOAD] &&
			o->nb_devs > 0) {
		to_err("--dev given but --mode has neither dma nor offload");
		return -EINVAL;
	}
	if (o->nb_offloads != 0 && !o->modes[TO_MODE_OFFLOAD]) {
		to_err("--offload given but --mode has no offload");
		return -EINVAL;
	}

	if (o->verify == TO_VERIFY_PASS && o->nb_lcores > 1) {
		/* Each would stop its own clock while the others copy on. */
		to_err("--verify pass measures one submitter: with --lcores, use all, sample"
			" or off");
		return -EINVAL;
	}

	if (!o->working_set_given) {
		o->working_set = default_working_set(o);
		/*
		 * The same bound as one given: halved as the run would halve it
		 * for EAL's memory (worker.c), down to what the sizes and the
		 * burst need, and refused when even that does not fit.
		 */
		while (phys_mem() != 0 && o->working_set > phys_mem() / 2 &&
				o->working_set / 2 >= to_working_set_floor(o))
			o->working_set /= 2;
		if (phys_mem() != 0 && o->working_set > phys_mem() / 2) {
			to_err("%s and --burst %u: the default working set, %" PRIu64 " MiB per"
				" side (2 x largest size %u x burst, rounded up to a power of two):"
				" two pools of that size do not fit in this machine's %" PRIu64
				" MiB of memory; lower the largest size or --burst",
				o->dist == TO_DIST_FIXED ? "--sizes" : "--dist", o->burst,
				o->working_set >> 20, o->max_size, phys_mem() >> 20);
			return -EINVAL;
		}
	} else if (phys_mem() != 0 && o->working_set > phys_mem() / 2) {
		to_err("--working-set %" PRIu64 ": two pools of that size do not fit in this"
			" machine's %" PRIu64 " MiB of memory", o->working_set, phys_mem() >> 20);
		return -EINVAL;
	} else if (o->working_set < min_working_set(o)) {
		to_err("--working-set %" PRIu64 " is smaller than 2 x max size (%u, %" PRIu64
			" with cache-line padding) x burst (%u) = %" PRIu64 " bytes",
			o->working_set, o->max_size, slot_stride(o->max_size), o->burst,
			min_working_set(o));
		return -EINVAL;
	}
	return 0;
}

int
to_options_parse(struct to_options *o, struct to_run *g, int argc, char **argv)
{
	int opt;

	options_defaults(o);
	memset(g, 0, sizeof(*g));
	g->progress = -1;
	optind = 0;	/* glibc: full reinitialisation */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
		case OPT_HELP:
			usage(argv[0]);
			return 1;
		case '?':
		case ':':
			if (optopt != 0 && optopt < OPT_SIZES)
				to_err("unknown option '-%c' (see --help)", optopt);
			else
				to_err("unknown option or missing value: '%s' (see --help)",
					argv[optind - 1]);
			return -EINVAL;
		default:
			if (to_option_apply(o, g, opt, optarg) != 0)
				return -EINVAL;
			break;
		}
	}
	if (optind < argc) {
		to_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -EINVAL;
	}
	if (g->config[0] != '\0')
		return 0;	/* main.c: to_config_load() then finishes each case */
	return to_options_finish(o);
}

/*
 * --dry-run's values: the longest, every --offload configuration joined by
 * " | ", fits.
 */
#define DUMP_LEN	(TO_MAX_OFFLOADS * (TO_OFFLOAD_LEN + 3))

/* Append to buf (DUMP_LEN); *off past DUMP_LEN - 1 marks it cut short. */
static void __rte_format_printf(3, 4)
dump_add(char *buf, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= DUMP_LEN - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, DUMP_LEN - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = RTE_MIN(*off + (size_t)n, (size_t)DUMP_LEN);
}

/*
 * Sizes as --sizes reads them: each one, or (ranges) a run of three or
 * more that grows by a fixed step or factor as FROM-TO:+STEP or
 * FROM-TO:xMUL where that is shorter, which --sizes expands to the same
 * run, TO its last size. Returns the length.
 */
static size_t
dump_sizes(char *buf, const struct to_options *o, bool ranges)
{
	const uint32_t *sz = o->sizes;
	const unsigned int n = o->nb_sizes;
	unsigned int i = 0, j, ka, kg, k;
	size_t off = 0, list;
	char range[64];
	uint32_t d, m;

	buf[0] = '\0';
	while (i < n) {
		ka = kg = 1;
		if (ranges && i + 1 < n && sz[i + 1] > sz[i]) {
			d = sz[i + 1] - sz[i];
			for (ka = 2; i + ka < n && sz[i + ka] > sz[i + ka - 1] &&
					sz[i + ka] - sz[i + ka - 1] == d; ka++)
				;
			m = sz[i + 1] / sz[i];
			if (sz[i + 1] % sz[i] == 0)
				for (kg = 2; i + kg < n && sz[i + kg] % sz[i + kg - 1] == 0 &&
						sz[i + kg] / sz[i + kg - 1] == m; kg++)
					;
		}
		k = RTE_MAX(ka, kg);
		if (k >= 3) {
			if (kg >= ka)
				snprintf(range, sizeof(range), "%u-%u:x%u", sz[i],
					sz[i + k - 1], sz[i + 1] / sz[i]);
			else
				snprintf(range, sizeof(range), "%u-%u:+%u", sz[i],
					sz[i + k - 1], sz[i + 1] - sz[i]);
			for (list = k - 1, j = 0; j < k; j++)
				list += (size_t)snprintf(NULL, 0, "%u", sz[i + j]);
			if (strlen(range) < list) {
				dump_add(buf, &off, "%s%s", i ? "," : "", range);
				i += k;
				continue;
			}
		}
		dump_add(buf, &off, "%s%u", i ? "," : "", sz[i]);
		i++;
	}
	return off;
}

/*
 * Whether an INI file holds item (a --dev name, an --offload configuration)
 * as it is: a ';' starts a comment, a line ends at a newline, and the
 * blanks at the ends of a value (and of each '|' item) are dropped.
 */
static int
dump_item_check(const struct to_options *o, const char *opt, const char *item)
{
	size_t len = strlen(item);
	const char *c;

	for (c = item; *c != '\0'; c++) {
		if (iscntrl((unsigned char)*c)) {
			to_err("--dry-run [%s]: %s: a control character (0x%02x) in a value:"
				" an INI line cannot hold it", o->name, opt, (unsigned char)*c);
			return -EINVAL;
		}
	}
	if (strchr(item, ';') != NULL) {
		to_err("--dry-run [%s]: %s '%s': a ';' starts a comment in an INI file:"
			" --config could not read it back", o->name, opt, item);
		return -EINVAL;
	}
	if (len != 0 && (isspace((unsigned char)item[0]) ||
			isspace((unsigned char)item[len - 1]))) {
		to_err("--dry-run [%s]: %s '%s': an INI file drops the blanks at its ends:"
			" --config could not read it back", o->name, opt, item);
		return -EINVAL;
	}
	return 0;
}

/* rte_cfgfile keeps CFG_VALUE_LEN - 1 characters of a value, cuts the rest. */
static int
dump_len_check(const struct to_options *o, const char *opt, unsigned int n,
		const char *what, const char *note, size_t len)
{
	if (len < CFG_VALUE_LEN)
		return 0;
	to_err("--dry-run [%s]: %s: %u %s%s%s in %zu characters, more than the %d an INI"
		" value holds: --config could not read this case back", o->name, opt, n, what,
		n == 1 ? "" : "s", note, len, CFG_VALUE_LEN - 1);
	return -E2BIG;
}

/*
 * Print a case group as an INI section, every key explicit, in the syntax
 * --config reads: what --dry-run shows, and what reproduces the case.
 * Refused (nothing printed, an error naming the option) where a value
 * cannot be written so that --config reads it back: past CFG_VALUE_LEN - 1
 * characters, or holding what the INI syntax takes for its own.
 */
int
to_options_dump(FILE *f, const struct to_options *o)
{
	char devs[DUMP_LEN], offloads[DUMP_LEN], sizes[DUMP_LEN], lcores[DUMP_LEN];
	unsigned int i, n;
	size_t off;

	/* Each list value written once, checked, then printed as it is. */
	devs[0] = offloads[0] = lcores[0] = '\0';

	for (i = 0, off = 0; i < o->nb_devs; i++) {
		if (dump_item_check(o, "--dev", o->devs[i]) != 0)
			return -EINVAL;
		/* dev = a,b: a comma splits a name. */
		if (strchr(o->devs[i], ',') != NULL) {
			to_err("--dry-run [%s]: --dev '%s': a ',' separates the devices of"
				" an INI file's dev = a,b: --config could not read it back",
				o->name, o->devs[i]);
			return -EINVAL;
		}
		dump_add(devs, &off, "%s%s", i ? "," : "", o->devs[i]);
	}
	if (dump_len_check(o, "--dev", o->nb_devs, "device", "", off) != 0)
		return -EINVAL;
	for (i = 0, off = 0; i < o->nb_offloads; i++) {
		if (dump_item_check(o, "--offload", o->offloads[i]) != 0)
			return -EINVAL;
		dump_add(offloads, &off, "%s%s", i ? " | " : "", o->offloads[i]);
	}
	if (dump_len_check(o, "--offload", o->nb_offloads, "configuration", "",
			off) != 0)
		return -EINVAL;
	/* The sizes one by one, or with their runs as ranges where too long. */
	if (o->dist == TO_DIST_FIXED) {
		off = dump_sizes(sizes, o, false);
		if (off >= CFG_VALUE_LEN)
			off = dump_sizes(sizes, o, true);
		if (dump_len_check(o, "--sizes", o->nb_sizes, "size",
				" (runs of a step written as ranges)", off) != 0)
			return -EINVAL;
	}
	for (i = 0, off = 0; i < o->nb_lcores; i++)
		dump_add(lcores, &off, "%s%u", i ? "," : "", o->lcores[i]);
	if (dump_len_check(o, "--lcores", o->nb_lcores, "lcore", "", off) != 0)
		return -EINVAL;

	fprintf(f, "[%s]\nmode = ", o->name);
	for (i = 0, n = 0; i < TO_MODE_MAX; i++)
		if (o->modes[i])
			fprintf(f, "%s%s", n++ ? "," : "", to_mode_name(i));
	fprintf(f, "\n");
	if (o->nb_devs != 0)
		fprintf(f, "dev = %s\n", devs);
	if (o->nb_offloads != 0)
		fprintf(f, "offload = %s\n", offloads);
	if (o->dist != TO_DIST_FIXED)
		fprintf(f, "dist = %s", o->dist_spec);
	else
		fprintf(f, "sizes = %s", sizes);
	fprintf(f, "\nburst = %u\nring = %u\nworking-set = %" PRIu64 "\n", o->burst, o->ring,
		o->working_set);
	if (o->ops != 0)
		fprintf(f, "ops = %" PRIu64 "\n", o->ops);
	else
		fprintf(f, "time = %.15g\n", o->time_s);
	fprintf(f, "warmup = %.15g\nrounds = %u\norder = %s\nverify = %s\n", o->warmup_s,
		o->rounds, order_keys[o->order], verify_keys[o->verify]);
	if (o->nb_lcores != 0)
		fprintf(f, "lcores = %s\n", lcores);
	if (o->src_node >= 0)
		fprintf(f, "src-node = %d\n", o->src_node);
	if (o->dst_node >= 0)
		fprintf(f, "dst-node = %d\n", o->dst_node);
	fprintf(f, "flush-cache = %s\n", o->flush_cache ? "true" : "false");
	if (o->lat_every == TO_LAT_AUTO)
		fprintf(f, "lat-sample = auto\n");
	else
		fprintf(f, "lat-sample = %u\n", o->lat_every);
	fprintf(f, "long-us = %.15g\nno-park = %s\n", o->long_us, o->park ? "false" : "true");
	if (o->corrupt_op != 0)
		fprintf(f, "corrupt-op = %" PRIu64 "\n", o->corrupt_op);
	return 0;
}
