/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef TO_MAIN_H
#define TO_MAIN_H

/**
 * @file
 * dpdk-test-offload: copy throughput of the submitting core (memcpy) and of
 * any dmadev, over sizes from 64 B to 1 MiB and beyond, with the data of
 * every copy verified.
 *
 * One run = a list of case groups (the command line, or one per section
 * of an INI file), each a list of cases (mode, device, size or size
 * distribution). The files, one concern each:
 *   options.c   the command line (and INI keys) into struct to_options
 *   config.c    --config: the INI file's sections, via rte_cfgfile
 *   main.c      EAL, the case groups and their modes (mode-major, so each
 *               device is configured and started once), the exit status
 *   worker.c    the submitter lcores: their resources, simultaneous runs,
 *               the merge of their results
 *   bench.c     the measured loops of one case on one lcore
 *   dist.c      --dist: size distributions and the per-op size table
 *   lat.c       the completion latency histogram
 *   flush.c     --flush-cache
 *   dev.c       the dmadevs and the service lcores
 *   report.c    the table and the summaries (stdout)
 *   output.c    --csv and --json
 *   progress.c  the progress line (stderr)
 */

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_log.h>
#include <rte_memory.h>

struct ocopy_queue;
struct to_result;

extern int to_logtype;
#define TO_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, to_logtype, "test-offload: " fmt "\n", ##__VA_ARGS__)

/** Errors the user must see: always on stderr, whatever the log level. */
void to_err(const char *fmt, ...) __rte_format_printf(1, 2);
/** When set, to_err() names it first (the INI file and section being read). */
extern const char *to_err_context;

/* Exit codes. */
#define TO_EXIT_OK	0
#define TO_EXIT_FAIL	1	/**< a case failed: verification, device error, stall */
#define TO_EXIT_USAGE	2	/**< bad command line or environment */
/* Stopped by signal s (SIGINT, SIGTERM, SIGPIPE): 128 + s, as a shell says. */
#define TO_EXIT_SIGNAL(s)	(128 + (s))

/**
 * The signal that asked the run to stop, 0 while none has: the measuring
 * loops end at their next burst, the case's row is not written, no other
 * case runs, and the output files are closed whole (main.c).
 */
extern volatile sig_atomic_t to_stop_signal;

#define TO_MAX_SIZES	64
#define TO_MAX_DEVS	16
#define TO_MAX_WORKERS	64	/**< submitter lcores of one case */
#define TO_MAX_SIZE	(UINT64_C(1) << 30)	/**< 1 GiB per copy */
#define TO_MAX_RING	UINT16_MAX
#define TO_STALL_S	3	/**< no completion for this long: the device is stalled */
#define TO_MAX_ROUNDS	99	/**< --rounds */
#define TO_MAX_OFFLOADS	8	/**< --offload given this many times at most */
/**
 * offload, cpu_help=auto: the warm-up goes on, --warmup at a time and up
 * to this many times more, until each queue has measured TO_WARM_EPOCHS
 * epochs (its first probes done).
 */
#define TO_WARM_MAX_EXTRA	10
#define TO_WARM_EPOCHS		24
#define TO_OFFLOAD_LEN	512	/**< one --offload string, NUL included */
/** A case's name: a dmadev's, or "offload:" and an --offload string. */
#define TO_CASE_NAME_LEN	(TO_OFFLOAD_LEN + 16)
/** A mode's label in the table: "dma:" and a dmadev, or a case name. */
#define TO_LABEL_LEN		(TO_CASE_NAME_LEN + 8)

enum to_mode {
	TO_MODE_CPU,	/**< libc memcpy on the submitting lcore */
	TO_MODE_DMA,	/**< rte_dma_copy on one dmadev */
	TO_MODE_OFFLOAD,	/**< ocopy_copy: lib/offload_copy over the --dev engines */
	TO_MODE_MAX,
};

enum to_verify {
	TO_VERIFY_OFF,
	TO_VERIFY_SAMPLE,	/**< one operation in TO_VERIFY_SAMPLE_EVERY */
	TO_VERIFY_ALL,
	/**
	 * Every operation, once a pass over the pools is delivered (and at
	 * the end of the run), with the clock stopped: the figures are the
	 * copies' alone.
	 */
	TO_VERIFY_PASS,
};

#define TO_VERIFY_SAMPLE_EVERY	64

/** --order: how a round's cases follow each other. */
enum to_order {
	TO_ORDER_SIZE,	/**< each size in every mode, then the next size */
	TO_ORDER_MODE,	/**< each mode's sizes, then the next mode */
};

enum to_dist {
	TO_DIST_FIXED,	/**< one case per --sizes entry */
	TO_DIST_IMIX,	/**< dist.c's IMIX */
	TO_DIST_CUSTOM,	/**< --dist SIZE:WEIGHT,... */
};

#define TO_DIST_MAX		16	/**< sizes in a distribution */
#define TO_DIST_MAX_WEIGHT	1000000
#define TO_DIST_TAB		4096	/**< op sizes drawn from a table this long */

/* --lat-sample auto: every op of TO_LAT_AUTO_SIZE bytes and more (the
 * recording costs well under 1% of such a copy), one in TO_LAT_AUTO_EVERY
 * of smaller ones.
 */
#define TO_LAT_AUTO		UINT32_MAX
#define TO_LAT_AUTO_SIZE	4096
#define TO_LAT_AUTO_EVERY	16

#define TO_NAME_LEN	64

/** Options of the whole run, not of one case: output files. */
struct to_run {
	char csv[PATH_MAX];	/**< --csv: one row per case, "" none */
	char json[PATH_MAX];	/**< --json: one object per case, "" none */
	char config[PATH_MAX];	/**< --config: INI file of cases, "" none */
	bool dry_run;		/**< --dry-run: print the cases, run nothing */
	int progress;		/**< --progress 1, --no-progress 0, default -1: if a tty */
};

/** One case group (the command line, or one INI section), validated. */
struct to_options {
	char name[TO_NAME_LEN];	/**< "cmdline", or the INI section */
	uint32_t sizes[TO_MAX_SIZES];
	unsigned int nb_sizes;
	uint32_t max_size;
	uint16_t burst;
	uint16_t ring;
	uint64_t working_set;	/**< bytes per side (src pool, dst pool) */
	bool working_set_given;
	double time_s;		/**< per case, when ops == 0 */
	uint64_t ops;		/**< per case; 0: run for time_s */
	double warmup_s;	/**< unmeasured, verified run before each case */
	unsigned int rounds;	/**< every mode and size this many times, in turns */
	enum to_order order;	/**< within a round: size by size, or mode by mode */
	enum to_verify verify;
	bool modes[TO_MODE_MAX];
	char devs[TO_MAX_DEVS][RTE_DEV_NAME_MAX_LEN];
	unsigned int nb_devs;
	uint16_t lcores[TO_MAX_WORKERS];	/**< submitter lcores (--lcore/--lcores) */
	unsigned int nb_lcores;	/**< 0: the main lcore alone */
	bool park;		/**< park service lcores a case does not use */
	double long_us;		/**< dma timed regions longer than this are left out */
	uint64_t corrupt_op;	/**< testing: damage the copy of this operation */
	/** --lat-sample: one op in N (a power of 2), 0: off, or TO_LAT_AUTO */
	uint32_t lat_every;
	enum to_dist dist;
	uint32_t dist_sizes[TO_DIST_MAX];
	uint32_t dist_weights[TO_DIST_MAX];
	unsigned int nb_dist;
	char dist_spec[256];	/**< --dist as given, for --dry-run */
	int src_node;		/**< --src-node: the source pool's node, -1: the submitter's */
	int dst_node;		/**< --dst-node */
	bool flush_cache;	/**< --flush-cache: evict the caches before each measured run */
	/**
	 * --offload, each an ocopy_conf_parse() string: the offload mode's
	 * variants, run in turn (none given: one, the library's defaults).
	 */
	char offloads[TO_MAX_OFFLOADS][TO_OFFLOAD_LEN];
	unsigned int nb_offloads;
	/* Parsing state: which options were given (defaults depend on them). */
	bool sizes_given;
	bool time_given;
	bool modes_given;
	bool devs_replace;	/**< the next --dev starts a new list (INI section) */
	bool offloads_replace;	/**< the next --offload starts a new list (INI section) */
};

/** One memory pool (source or destination side of the working set). */
struct to_pool {
	uint8_t *va;
	rte_iova_t iova;
	uint64_t len;
	const void *mz;		/**< the rte_memzone behind it */
};

/**
 * The rotation of buffers through the pools. Operation k of a case copies
 * source slot (k mod N) to destination slot ((k mod N + k / N) mod N): each
 * pass over the pools shifts the destination by one slot, so a destination
 * slot always receives different bytes than it held (see bench.c), and
 * in-flight operations never share a destination as long as fewer than N
 * are in flight.
 */
struct to_cursor {
	uint32_t src;	/**< source slot */
	uint32_t dst;	/**< destination slot */
};

/** Addresses of one burst, computed before the timed region. */
struct to_burst {
	rte_iova_t *s;		/**< dma: source IOVAs */
	rte_iova_t *d;
	uint8_t **sp;		/**< cpu: source pointers */
	uint8_t **dp;
	uint32_t *len;		/**< each op's size */
};

/* Completion latency histogram (lat.c): log-linear, in TSC cycles. */
#define TO_HIST_SUB_BITS	4
#define TO_HIST_SUB		(1u << TO_HIST_SUB_BITS)	/**< buckets per power of two */
#define TO_HIST_BUCKETS		((64 - TO_HIST_SUB_BITS + 1) * TO_HIST_SUB)

struct to_hist {
	uint64_t count;
	uint64_t n[TO_HIST_BUCKETS];
};

static __rte_always_inline unsigned int
to_hist_bucket(uint64_t v)
{
	unsigned int e;

	if (v < TO_HIST_SUB)
		return (unsigned int)v;
	e = 63 - (unsigned int)__builtin_clzll(v);	/* >= TO_HIST_SUB_BITS */
	return (e - TO_HIST_SUB_BITS + 1) * TO_HIST_SUB +
		(unsigned int)((v >> (e - TO_HIST_SUB_BITS)) & (TO_HIST_SUB - 1));
}

static __rte_always_inline void
to_hist_add(struct to_hist *h, uint64_t v)
{
	h->n[to_hist_bucket(v)]++;
	h->count++;
}

/* n samples of the same value. */
static __rte_always_inline void
to_hist_add_n(struct to_hist *h, uint64_t v, uint32_t n)
{
	h->n[to_hist_bucket(v)] += n;
	h->count += n;
}

void to_hist_reset(struct to_hist *h);
double to_hist_percentile(const struct to_hist *h, double p);
/** The sample count and the p50/p99/p99.9 of h, into r's lat_* fields. */
void to_hist_result(const struct to_hist *h, struct to_result *r);

/** One case: what to run. */
struct to_case {
	enum to_mode mode;
	/** "cpu", the dmadev's name, or to_offload_label() */
	const char *name;
	const char *conf;	/**< offload: its --offload string ("" defaults) */
	int16_t dev_id;		/**< TO_MODE_DMA */
	uint16_t vchan;		/**< TO_MODE_DMA: the worker's vchan */
	uint16_t batch;		/**< TO_MODE_DMA: ops its vchan takes between
				 * doorbells (rte_dma_burst_capacity() while
				 * idle: idxd's max_batch_size, or the ring) */
	uint32_t size;		/**< fixed size, or the largest of the distribution */
	unsigned int round;	/**< 1 .. --rounds */
	const char *dist;	/**< NULL: fixed size; else the distribution's name */
	const uint32_t *size_tab;	/**< distribution: op k has size_tab[k & size_mask] */
	uint32_t size_mask;
	uint16_t burst;
	uint32_t window;	/**< max operations in flight */
	uint32_t stride;	/**< slot size in the pools */
	uint32_t nb_slots;	/**< N above, even */
	enum to_verify verify;
	uint64_t corrupt_op;	/**< testing: damage this operation (1-based), 0: none */
	uint64_t ops;		/**< 0: run for cycles */
	uint64_t cycles;
	struct to_pool *src;
	struct to_pool *dst;
	struct to_burst *burst_buf;	/**< burst entries each */
	/* Carried between the warm-up and the measured run. */
	struct to_cursor enq_cur;	/**< next operation to start */
	struct to_cursor cpl_cur;	/**< next operation to complete */
	uint64_t seq;			/**< operations completed in this case */
	uint16_t next_id;		/**< TO_MODE_DMA: the device's next job id */
	struct ocopy_queue *oq;		/**< TO_MODE_OFFLOAD: the library queue */
	uint64_t maps;			/**< TO_MODE_OFFLOAD: IOMMU map calls, all engines */
	bool adaptive;			/**< TO_MODE_OFFLOAD: policy=auto, cpu_help=auto */
	double warmup_s;		/**< the warm-up it had: --warmup, or a multiple
					 * of it (adaptive, TO_WARM_EPOCHS) */
	/* Latency (lat.c): one op in lat_every, 0: off. */
	uint32_t lat_every;
	uint32_t lat_mask;		/**< lat_ts has lat_mask + 1 entries (>= window) */
	uint64_t *lat_ts;		/**< submit time of the ops in flight, by op number */
	struct to_hist *hist;
};

/**
 * One submitter lcore of a case group (worker.c): its own pools, burst
 * arrays and latency records, its own vchan of each dmadev and queue of the
 * library (number idx), and the case it runs.
 */
struct to_worker {
	unsigned int lcore;
	uint16_t idx;
	int socket;
	struct to_pool src;
	struct to_pool dst;
	struct to_burst burst;
	struct to_hist *hist;
	uint64_t *lat_ts;
	uint32_t lat_mask;
	uint16_t next_id;	/**< dma: next job id of its vchan, across cases */
	bool flush;		/**< evict the caches before the run */
	struct to_case c;
	struct to_result *r;
};

struct to_group {
	const struct to_options *o;
	struct to_worker *w;
	unsigned int nb;
	struct to_hist *hist_all;	/**< the workers' histograms, merged */
};

/** What one measured run produced. */
struct to_result {
	uint64_t ops;
	uint64_t bytes;
	uint64_t wall_cycles;
	uint64_t sub_cycles;	/**< enq_cycles + cpl_cycles */
	uint64_t enq_cycles;	/**< in enqueue+submit (cpu: in memcpy) */
	uint64_t cpl_cycles;	/**< in completed() calls that returned > 0 */
	uint64_t idle_cycles;	/**< in completed() calls that returned 0 */
	uint64_t long_regions;	/**< timed regions longer than --long-us, left out */
	uint64_t long_cycles;
	uint64_t polls_hit;	/**< completed() calls that returned > 0 */
	uint64_t polls_idle;
	uint64_t verified;	/**< operations whose data was compared */
	uint64_t lib_cpu;	/**< offload: ops the library ran on the CPU */
	uint64_t lib_engine;	/**< ... on an engine */
	uint64_t lib_split;	/**< ... split between both */
	uint64_t errors;	/**< ops the device or library reported failed */
	uint64_t maps;		/**< offload: IOMMU map calls of the instance (all engines) */
	/**
	 * offload: where the queue placed its copies at the end of the run
	 * (enum ocopy_placement; TO_PLACE_NONE outside offload, TO_PLACE_MIXED
	 * for workers that ended apart), and the placement changes
	 * cpu_help=auto kept during the run.
	 */
	int placement;
	uint64_t placement_moves;
	uint64_t lat_samples;	/**< completion latencies recorded */
	double lat_p50;		/**< completion latency percentiles, TSC cycles */
	double lat_p99;
	double lat_p999;
	int failed;		/**< 0, or TO_EXIT_FAIL with why[] set */
	char why[512];
};

#define TO_PLACE_NONE	(-1)	/**< to_result.placement: not an offload row */
#define TO_PLACE_MIXED	(-2)	/**< ... workers ended on different placements */

/** to_result.placement's name: "" (none), "mixed" or the library's. */
const char *to_placement_name(int placement);

/** Figures derived from a result, the same for the table, CSV and JSON. */
struct to_metrics {
	double seconds;		/**< wall time of the measured run */
	double mops;
	double gbps;		/**< 1 GB = 1e9 B */
	double cyc_op;		/**< submitter cycles per op: enq_op + cpl_op */
	double enq_op;
	double cpl_op;
	double idle_op;
	double ops_poll;	/**< completions per completed() call with work; < 0: n/a */
	double pct_cpu;		/**< offload: % of ops on the cpu; < 0: n/a */
	double pct_engine;
	double pct_split;
	double lat_p50_us;	/**< < 0: no sample */
	double lat_p99_us;
	double lat_p999_us;
};

/* options.c */
int to_options_parse(struct to_options *o, struct to_run *g, int argc, char **argv);
int to_option_lookup(const char *name, bool *has_arg, bool *run_wide);
int to_option_apply(struct to_options *o, struct to_run *g, int opt, const char *arg);
int to_options_finish(struct to_options *o);
int to_parse_bytes(const char *s, uint64_t *out);
/** 0, or -EINVAL with an error naming opt: arg, a list, has an empty item. */
int to_list_check(const char *opt, const char *arg);
uint64_t to_llc_size(void);
/** The smallest working set a default is lowered to when memory is short. */
uint64_t to_working_set_floor(const struct to_options *o);
int to_options_dump(FILE *f, const struct to_options *o);

/* progress.c */
void to_progress_init(int mode, unsigned int nb_cases, double case_s);
void to_progress_case(const char *what);
void to_progress_tick(void);
void to_progress_case_done(void);
void to_progress_clear(void);

/* flush.c */
int to_flush_alloc(void);
void to_flush_caches(void);
void to_flush_free(void);

/* dist.c */
int to_dist_parse(struct to_options *o, const char *arg);
const char *to_dist_name(const struct to_options *o);
double to_dist_mean(const struct to_options *o);
void to_dist_table(const struct to_options *o, uint32_t *tab);

/* config.c */
int to_config_load(const char *path, const struct to_options *base,
		struct to_options **cases, unsigned int *nb_cases);

/* bench.c */
extern uint64_t to_timer_overhead;
extern uint64_t to_long_cycles;
void to_timer_calibrate(void);
void to_pools_fill(const struct to_case *c);
int to_case_run(struct to_case *c, struct to_result *r);

/* worker.c */
int to_workers_alloc(struct to_group *g, struct to_options *o);
void to_workers_free(struct to_group *g);
int to_workers_run(struct to_group *g, bool flush);
void to_workers_merge(struct to_group *g, struct to_result *all);

/* dev.c */
int to_dev_lookup(const char *name, int16_t *dev_id);
/* What dma mode needs of a device (copies, --ring, a vchan per worker). */
int to_dev_check(const struct to_options *o, const char *name, int16_t dev_id,
		uint16_t nb_vchans);
int to_dev_prepare(const struct to_options *o, const char *name, int16_t dev_id,
		uint16_t nb_vchans);
int to_dev_start(const struct to_options *o, const char *name, int16_t dev_id);
void to_dev_stop(const char *name, int16_t dev_id);
int to_services_park(bool park, const char *name);
void to_services_unpark(void);

/* report.c */
int to_report_header(const struct to_options *o, const struct to_group *g);
const char *to_offload_label(const struct to_options *o, unsigned int variant);
void to_report_row(const struct to_case *c, const struct to_result *r, int worker);
void to_report_round(const struct to_options *o, unsigned int round);
void to_report_summary(const struct to_options *o);
void to_report_end(void);
void to_format_size(char *buf, size_t len, uint64_t bytes);
void to_metrics_get(const struct to_case *c, const struct to_result *r,
		struct to_metrics *m);
const char *to_mode_name(enum to_mode mode);
/** The --verify word of a mode. */
const char *to_verify_key(enum to_verify v);
void to_mode_label(char *buf, size_t len, enum to_mode mode, const char *name);
void to_case_size_label(char *buf, size_t len, const struct to_case *c);

/* output.c */
/* The output files name neither each other nor the --config file (0, or -1
 * with an error printed); checked before EAL, since opening truncates.
 */
int to_output_check(const struct to_run *g);
/*
 * Open them, once every other check passed: a refused run keeps old ones.
 * to_output_arm() records the run's files (g must live on); the first
 * to_output_start(), as the first case starts (the pools allocated, its
 * device prepared), opens them (0, or -1 with an error printed).
 */
void to_output_arm(const struct to_run *g);
int to_output_start(void);
/* Whether to_output_start() ran: the files are this run's. */
bool to_output_started(void);
void to_output_row(const struct to_options *o, const struct to_case *c,
		const struct to_result *r, int worker, unsigned int nb_workers);
int to_output_close(void);

#endif /* TO_MAIN_H */
