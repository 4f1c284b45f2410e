/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dpdk-test-offload: EAL start-up, the working-set pools, the case loop and
 * the exit status.
 *
 * The command line after "--" is parsed before EAL starts, so bad input
 * fails fast. A round runs every case once, size by size (--order size:
 * at each size the cpu, each device, each library configuration; the cases
 * a ratio compares run back to back) or mode by mode (--order mode: all
 * sizes on the cpu, then each device, then each library configuration).
 * A device is configured and started for its cases and stopped after
 * them, a library instance made for its cases and destroyed after them:
 * only one engine runs at a time. Each case
 * refills the pools, runs an unmeasured, verified warm-up, then the
 * measured run, on every submitter lcore at once (the main lcore, --lcore
 * or --lcores; worker.c). The first failing case ends the run with
 * TO_EXIT_FAIL.
 *
 * Drivers are not linked in: they come from EAL -d or DPDK's plugin folder
 * like in any DPDK application.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include <ocopy.h>

#include "main.h"

RTE_LOG_REGISTER_DEFAULT(to_logtype, NOTICE);

const char *to_err_context;

void
to_err(const char *fmt, ...)
{
	va_list ap;

	to_progress_clear();
	fflush(stdout);
	fprintf(stderr, "dpdk-test-offload: error: ");
	if (to_err_context != NULL)
		fprintf(stderr, "%s: ", to_err_context);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

/* --dist: the sizes of the ops of every case of the group (dist.c). */
static uint32_t size_tab[TO_DIST_TAB];

/*
 * Whether every worker's queue has measured TO_WARM_EPOCHS epochs of
 * cpu_help=auto: its first probe of each placement made (within 20
 * epochs, a few more when one wins), its placement chosen. An epoch
 * lasts at least 2 ms, longer when the queue takes long to drain (large
 * copies): 24 of them can outlast the warm-up, and the measured run would
 * then hold a fresh instance's probes, which a running application pays
 * once.
 */
static bool
placements_measured(const struct to_group *g)
{
	struct ocopy_queue_rates rt;
	unsigned int i;

	for (i = 0; i < g->nb; i++)
		if (ocopy_queue_rates_get(g->w[i].c.oq, &rt) != 0 ||
				rt.help_epochs < TO_WARM_EPOCHS)
			return false;
	return true;
}

volatile sig_atomic_t to_stop_signal;

/* Free hugepages of the default size (/proc/meminfo), -1 if unknown. */
static long
free_hugepages(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void
stop_on_signal(int sig)
{
	to_stop_signal = sig;
}

/*
 * SIGINT, SIGTERM and SIGPIPE (a reader of stdout gone, as with "| head")
 * stop the run between bursts instead of killing it: the JSON array is
 * closed and EAL cleaned up (its hugepages released) on the way out.
 */
static void
stop_signals_catch(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGPIPE };
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop_on_signal;
	/* EAL's threads (telemetry's accept()) are not to see EINTR. */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < RTE_DIM(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Set up, warm up and measure one case on every worker; prints its rows.
 * proto holds what the mode decides (mode, device, size, burst); each
 * worker's copy gets that worker's pools, vchan or queue and records.
 */
static int
run_case(struct to_group *g, const struct to_case *proto, struct ocopy *oc)
{
	const struct to_options *o = g->o;
	uint64_t hz = rte_get_tsc_hz();
	const char *phase = "warm-up: ";
	char what[TO_NAME_LEN + TO_LABEL_LEN + 48], size[32];
	struct to_case base = *proto;
	struct to_result all;
	unsigned int i, k;

	if (to_stop_signal)
		return TO_EXIT_SIGNAL(to_stop_signal);
	if (to_output_start() != 0)
		return TO_EXIT_USAGE;
	/* What every worker's copy shares. */
	if (o->dist != TO_DIST_FIXED) {
		base.dist = to_dist_name(o);
		base.size_tab = size_tab;
		base.size_mask = TO_DIST_TAB - 1;
	}
	base.stride = RTE_ALIGN_CEIL(base.size, RTE_CACHE_LINE_SIZE);
	base.nb_slots = (uint32_t)RTE_MIN(o->working_set / base.stride,
		(uint64_t)UINT32_MAX - 1);
	base.nb_slots &= ~UINT32_C(1);
	RTE_VERIFY(base.nb_slots >= 2u * base.burst);
	/* Fewer than nb_slots - 1 in flight: no two share a destination. */
	base.window = RTE_MIN((uint32_t)o->ring, base.nb_slots - 1);
	base.verify = o->verify;
	base.corrupt_op = o->corrupt_op;
	base.lat_every = o->lat_every != TO_LAT_AUTO ? o->lat_every :
		base.size >= TO_LAT_AUTO_SIZE ? 1 : TO_LAT_AUTO_EVERY;

	to_mode_label(what, sizeof(what), base.mode, base.name);
	to_case_size_label(size, sizeof(size), &base);
	snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s (case %s)", size,
		o->name);
	to_progress_case(what);

	/* Each worker's own pools, vchan or queue and records. */
	for (i = 0; i < g->nb; i++) {
		struct to_worker *w = &g->w[i];
		struct to_case *c = &w->c;

		*c = base;
		c->src = &w->src;
		c->dst = &w->dst;
		c->burst_buf = &w->burst;
		c->vchan = w->idx;
		if (c->mode == TO_MODE_DMA) {
			c->next_id = w->next_id;
		} else if (c->mode == TO_MODE_OFFLOAD) {
			c->oq = ocopy_queue_get(oc, w->idx);
			/* Op indexes run on across cases: start where the last ended. */
			c->next_id = ocopy_queue_next_index(c->oq);
		}
		c->lat_ts = w->lat_ts;
		c->lat_mask = w->lat_mask;
		c->hist = w->hist;
		to_pools_fill(c);
	}

	if (o->warmup_s > 0) {
		for (i = 0; i < g->nb; i++) {
			g->w[i].c.ops = 0;
			g->w[i].c.cycles = (uint64_t)(o->warmup_s * hz);
		}
		if (to_workers_run(g, false) != 0)
			goto fail;
		/* A new instance's first probes, out of the measured run. */
		for (k = 0; base.adaptive && k < TO_WARM_MAX_EXTRA && !to_stop_signal &&
				!placements_measured(g); k++)
			if (to_workers_run(g, false) != 0)
				goto fail;
		for (i = 0; i < g->nb; i++)
			g->w[i].c.warmup_s = o->warmup_s * (1 + k);
	}
	phase = "";
	for (i = 0; i < g->nb; i++) {
		g->w[i].c.ops = o->ops;
		g->w[i].c.cycles = (uint64_t)(o->time_s * hz);
		/*
		 * The measured run starts the size table from its first entry
		 * (nothing is in flight): every mode copies the same sizes in
		 * the same order, whatever its warm-up did.
		 */
		g->w[i].c.seq = 0;
	}
	if (to_workers_run(g, o->flush_cache) != 0)
		goto fail;
	for (i = 0; i < g->nb; i++)
		g->w[i].next_id = g->w[i].c.next_id;
	to_progress_case_done();
	/* Cut short by a signal (warm-up or measure): no row. */
	if (to_stop_signal)
		return TO_EXIT_SIGNAL(to_stop_signal);

	to_workers_merge(g, &all);
	to_report_row(&g->w[0].c, &all, -1);
	to_output_row(o, &g->w[0].c, &all, -1, g->nb);
	if (g->nb > 1) {
		for (i = 0; i < g->nb; i++) {
			to_report_row(&g->w[i].c, g->w[i].r, (int)g->w[i].lcore);
			to_output_row(o, &g->w[i].c, g->w[i].r, (int)g->w[i].lcore, g->nb);
		}
	}
	return TO_EXIT_OK;
fail:
	for (i = 0; i < g->nb; i++)
		if (g->w[i].r->failed)
			to_err("%slcore %u: %s", phase, g->w[i].lcore, g->w[i].r->why);
	return TO_EXIT_FAIL;
}

/* The cpu's cases of sizes [first, first + n). */
static int
run_cpu(struct to_group *g, unsigned int round, unsigned int first, unsigned int n)
{
	const struct to_options *o = g->o;
	unsigned int i;
	int ret;

	if (to_services_park(o->park, NULL) != 0)
		return TO_EXIT_FAIL;
	for (i = first; i < first + n; i++) {
		struct to_case c = {
			.mode = TO_MODE_CPU,
			.name = "cpu",
			.dev_id = -1,
			.size = o->sizes[i],
			.round = round,
			.burst = o->burst,
		};

		ret = run_case(g, &c, NULL);
		if (ret != TO_EXIT_OK)
			return ret;
	}
	return TO_EXIT_OK;
}

/* A device's cases of sizes [first, first + n), between its start and stop. */
static int
run_dev(struct to_group *g, const char *name, int16_t dev_id, unsigned int round,
		unsigned int first, unsigned int n)
{
	const struct to_options *o = g->o;
	unsigned int i;
	int ret = TO_EXIT_OK;
	uint16_t batch;

	if (to_dev_prepare(o, name, dev_id, (uint16_t)g->nb) != 0)
		return TO_EXIT_USAGE;
	if (to_dev_start(o, name, dev_id) != 0)
		return TO_EXIT_USAGE;
	/*
	 * What an idle vchan takes between doorbells: its ring, or less
	 * where the device bounds a batch (Intel DSA's idxd). A longer
	 * burst is submitted in batches of that many, each rung.
	 */
	batch = rte_dma_burst_capacity(dev_id, 0);
	if (batch == 0) {
		to_err("%s: rte_dma_burst_capacity() is 0 on an idle vchan: it takes no operation",
			name);
		to_dev_stop(name, dev_id);
		return TO_EXIT_FAIL;
	}
	if (batch < o->burst)
		TO_LOG(NOTICE, "%s takes %u operations between doorbells: bursts of %u rung every %u",
			name, batch, o->burst, batch);
	/* Job ids start at 0 after rte_dma_start and run on. */
	for (i = 0; i < g->nb; i++)
		g->w[i].next_id = 0;
	for (i = first; i < first + n; i++) {
		struct to_case c = {
			.mode = TO_MODE_DMA,
			.name = name,
			.dev_id = dev_id,
			.batch = batch,
			.size = o->sizes[i],
			.round = round,
			.burst = o->burst,
		};

		ret = run_case(g, &c, NULL);
		if (ret != TO_EXIT_OK)
			break;
	}
	to_dev_stop(name, dev_id);
	return ret;
}

/*
 * The library configuration of --offload variant `variant`: the tool's
 * (the case's devices, one queue per submitter lcore, queues as deep as
 * --ring), then the variant's keys over it. The tool owns the number of
 * queues, and a queue must take a whole --burst. Checked before any run
 * (group_check()), and again by each run.
 */
static int
offload_conf(const struct to_options *o, const int16_t *dev_ids, unsigned int variant,
		struct ocopy_conf *conf)
{
	const char *args = o->nb_offloads != 0 ? o->offloads[variant] : "";
	const uint16_t nb_queues = (uint16_t)(o->nb_lcores != 0 ? o->nb_lcores : 1);
	char what[TO_OFFLOAD_LEN + 16] = "offload";
	unsigned int i;

	if (o->nb_offloads != 0)
		snprintf(what, sizeof(what), "--offload '%s'", args);
	ocopy_conf_init(conf);
	conf->name = "test_offload";
	conf->nb_engines = (uint16_t)o->nb_devs;
	for (i = 0; i < o->nb_devs; i++)
		conf->engines[i] = dev_ids[i];
	conf->nb_queues = nb_queues;
	conf->ring_size = o->ring;
	conf->queue_size = RTE_MIN(rte_align32pow2(o->ring), (uint32_t)OCOPY_QUEUE_SIZE_MAX);
	if (ocopy_conf_parse(conf, args) != 0) {
		to_err("%s: not a valid library configuration (see the log)", what);
		return -EINVAL;
	}
	if (conf->nb_queues != nb_queues) {
		to_err("%s: queues=%u, but the tool makes one queue per submitter"
			" lcore (%u here, --lcores): leave queues out", what,
			conf->nb_queues, nb_queues);
		return -EINVAL;
	}
	if (conf->queue_size < o->burst) {
		to_err("%s: queue_size %u is smaller than --burst %u%s", what,
			conf->queue_size, o->burst, o->ring > OCOPY_QUEUE_SIZE_MAX ?
			" (a queue takes at most " RTE_STR(OCOPY_QUEUE_SIZE_MAX) " ops)" : "");
		return -EINVAL;
	}
	return 0;
}

/*
 * The library over every --dev engine (taken, configured and started by
 * ocopy_create, stopped by ocopy_destroy), one queue per worker, every
 * worker's pools registered for DMA as a user would; the cases of sizes
 * [first, first + n). Each call makes its own instance, calibrated and
 * learning from the start, as a separate run of the tool would.
 */
static int
run_offload(struct to_group *g, const int16_t *dev_ids, unsigned int round,
		unsigned int variant, unsigned int first, unsigned int n)
{
	const struct to_options *o = g->o;
	const char *args = o->nb_offloads != 0 ? o->offloads[variant] : "";
	uint64_t maps = 0, before[OCOPY_MAX_ENGINES] = { 0 };
	struct ocopy_map_stats ms;
	struct ocopy_conf conf;
	struct ocopy *oc;
	unsigned int i;
	int ret = TO_EXIT_OK;

	/* Every engine's worker must run: no parking of theirs. */
	to_services_unpark();
	for (i = 0; i < o->nb_devs; i++)
		if (to_services_park(false, o->devs[i]) != 0)
			return TO_EXIT_USAGE;

	if (offload_conf(o, dev_ids, variant, &conf) != 0)
		return TO_EXIT_USAGE;
	conf.socket_id = ((const struct rte_memzone *)g->w[0].src.mz)->socket_id;
	oc = ocopy_create(&conf);
	if (oc == NULL) {
		to_err("offload: cannot create the library instance: %s",
			rte_strerror(rte_errno));
		return TO_EXIT_USAGE;
	}
	/* The pools' maps only: create's calibration maps a buffer of its own. */
	for (i = 0; i < ocopy_engine_count(oc); i++)
		if (ocopy_map_stats_get(oc, i, &ms) == 0)
			before[i] = ms.maps;
	for (i = 0; i < g->nb; i++) {
		struct to_worker *w = &g->w[i];

		if (ocopy_mem_register(oc, w->src.va, w->src.len) < 0 ||
				ocopy_mem_register(oc, w->dst.va, w->dst.len) < 0) {
			to_err("offload: cannot register the pools of lcore %u for DMA", w->lcore);
			ocopy_destroy(oc);
			return TO_EXIT_USAGE;
		}
	}
	for (i = 0; i < ocopy_engine_count(oc); i++) {
		struct ocopy_engine_info info;

		if (ocopy_engine_info_get(oc, i, &info) != 0)
			continue;
		ocopy_map_stats_get(oc, i, &ms);
		ms.maps -= before[i];
		maps += ms.maps;
		to_progress_clear();
		printf("%s: engine %s: threshold %u B%s, %u submitter cycles/op,"
			" %u cycles/KiB", to_offload_label(o, variant), info.name,
			info.threshold,
			info.calibrated ? " (calibrated)" : "", info.op_cycles,
			info.cyc_per_kib);
		/* A bounded batch (Intel DSA): the library rings it that often. */
		if (info.batch != 0 && info.batch < info.ring_size)
			printf(", batches of %u", info.batch);
		printf("; %" PRIu64 " IOMMU map call(s) for the pools\n", ms.maps);
	}
	for (i = first; i < first + n; i++) {
		struct to_case c = {
			.mode = TO_MODE_OFFLOAD,
			.name = to_offload_label(o, variant),
			.conf = args,
			.dev_id = -1,
			.size = o->sizes[i],
			.round = round,
			.burst = o->burst,
			.maps = maps,
			.adaptive = conf.policy == OCOPY_POLICY_AUTO &&
				conf.cpu_help == OCOPY_CPU_HELP_AUTO,
		};

		ret = run_case(g, &c, oc);
		if (ret != TO_EXIT_OK)
			break;
	}
	if (rte_log_get_level(to_logtype) >= (int)RTE_LOG_DEBUG)
		ocopy_dump(oc, stdout);
	ocopy_destroy(oc);
	return ret;
}

/* Whether NUMA node `node` (-1: not given) has DPDK memory. */
static int
node_check(const char *opt, int node)
{
	struct rte_malloc_socket_stats st;
	char list[128] = "";
	unsigned int i;
	size_t len = 0;

	if (node < 0)
		return 0;
	if (rte_malloc_get_socket_stats(node, &st) == 0 && st.heap_totalsz_bytes > 0)
		return 0;
	for (i = 0; i < rte_socket_count(); i++) {
		int s = rte_socket_id_by_idx(i);

		if (s >= 0 && rte_malloc_get_socket_stats(s, &st) == 0 &&
				st.heap_totalsz_bytes > 0 && len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%d", len ? ", " : "", s);
	}
	to_err("%s %d: NUMA node %d has no DPDK memory (EAL --socket-mem and hugepages on"
		" that node; --no-huge memory is on node 0 only); nodes with memory: %s",
		opt, node, node, len ? list : "none");
	return -ENODEV;
}

/* The checks of one case group that need EAL: its lcores, devices, nodes. */
static int
group_check(const struct to_run *g, const struct to_options *o, int16_t *dev_ids)
{
	char ctx[PATH_MAX + TO_NAME_LEN + 8];
	struct ocopy_conf conf;
	unsigned int i;

	if (g->config[0] != '\0') {
		snprintf(ctx, sizeof(ctx), "%s [%s]", g->config, o->name);
		to_err_context = ctx;
	}
	for (i = 0; i < o->nb_lcores; i++) {
		unsigned int lc = o->lcores[i];

		if (lc != rte_get_main_lcore() && !rte_lcore_is_enabled(lc)) {
			to_err("%s %u: not an enabled worker lcore (EAL -l; service lcores cannot"
				" submit)", o->nb_lcores > 1 ? "--lcores: lcore" : "--lcore", lc);
			goto fail;
		}
	}
	for (i = 0; i < o->nb_devs; i++)
		if (to_dev_lookup(o->devs[i], &dev_ids[i]) != 0)
			goto fail;
	/* What dma mode will ask of each device, before any case writes rows. */
	for (i = 0; o->modes[TO_MODE_DMA] && i < o->nb_devs; i++)
		if (to_dev_check(o, o->devs[i], dev_ids[i],
				(uint16_t)RTE_MAX(o->nb_lcores, 1u)) != 0)
			goto fail;
	if (node_check("--src-node", o->src_node) != 0 ||
			node_check("--dst-node", o->dst_node) != 0)
		goto fail;
	for (i = 0; o->modes[TO_MODE_OFFLOAD] && i < RTE_MAX(o->nb_offloads, 1u); i++)
		if (offload_conf(o, dev_ids, i, &conf) != 0)
			goto fail;
	to_err_context = NULL;
	return 0;
fail:
	to_err_context = NULL;
	return -EINVAL;
}

/* Every mode's cases of sizes [first, first + n): cpu, devices, library. */
static int
run_modes(struct to_group *g, const int16_t *dev_ids, unsigned int round,
		unsigned int first, unsigned int n)
{
	const struct to_options *o = g->o;
	int ret = TO_EXIT_OK;
	unsigned int i;

	if (o->modes[TO_MODE_CPU])
		ret = run_cpu(g, round, first, n);
	for (i = 0; ret == TO_EXIT_OK && o->modes[TO_MODE_DMA] && i < o->nb_devs; i++)
		ret = run_dev(g, o->devs[i], dev_ids[i], round, first, n);
	for (i = 0; ret == TO_EXIT_OK && o->modes[TO_MODE_OFFLOAD] &&
			i < RTE_MAX(o->nb_offloads, 1u); i++)
		ret = run_offload(g, dev_ids, round, i, first, n);
	return ret;
}

/* One case group: workers, every mode and size, summary. */
static int
run_group(struct to_options *o, const int16_t *dev_ids)
{
	struct to_group g;
	unsigned int r, s;
	int ret = TO_EXIT_USAGE;

	if (to_workers_alloc(&g, o) != 0 || (o->flush_cache && to_flush_alloc() != 0))
		goto out;
	if (o->dist != TO_DIST_FIXED)
		to_dist_table(o, size_tab);
	to_long_cycles = (uint64_t)(o->long_us * rte_get_tsc_hz() / 1e6);
	if (to_report_header(o, &g) != 0)
		goto out;

	/*
	 * Rounds in turns, so that a slow spell of the host (other
	 * tenants, frequency changes) falls on every mode alike.
	 */
	ret = TO_EXIT_OK;
	for (r = 1; ret == TO_EXIT_OK && r <= o->rounds; r++) {
		to_report_round(o, r);
		if (o->order == TO_ORDER_MODE)
			ret = run_modes(&g, dev_ids, r, 0, o->nb_sizes);
		for (s = 0; o->order == TO_ORDER_SIZE && ret == TO_EXIT_OK &&
				s < o->nb_sizes; s++)
			ret = run_modes(&g, dev_ids, r, s, 1);
	}
	if (ret == TO_EXIT_OK)
		to_report_summary(o);
	to_services_unpark();
out:
	to_report_end();
	to_flush_free();
	to_workers_free(&g);
	return ret;
}

/* The number of cases and their estimated length, for the progress line. */
static void
progress_init(const struct to_run *g, const struct to_options *cases, unsigned int nb_cases)
{
	unsigned int k, n = 0, per_size;
	double s = 0;

	for (k = 0; k < nb_cases; k++) {
		const struct to_options *o = &cases[k];

		per_size = (o->modes[TO_MODE_CPU] +
			(o->modes[TO_MODE_OFFLOAD] ? RTE_MAX(o->nb_offloads, 1u) : 0) +
			(o->modes[TO_MODE_DMA] ? o->nb_devs : 0)) * o->rounds;
		n += per_size * o->nb_sizes;
		/* --ops runs have no known length: count the warm-up only. */
		s += per_size * o->nb_sizes * (o->warmup_s + (o->ops != 0 ? 0 : o->time_s));
	}
	to_progress_init(g->progress, n, n ? s / n : 0);
}

/*
 * --dry-run: every case as an INI section, or nothing (and an error) where
 * one cannot be written so that --config reads it back.
 */
static int
dry_run(const struct to_options *cases, unsigned int nb_cases)
{
	char *text = NULL;
	size_t len = 0;
	unsigned int k;
	FILE *f;
	int ret = TO_EXIT_OK;

	f = open_memstream(&text, &len);
	if (f == NULL) {
		to_err("--dry-run: out of memory");
		return TO_EXIT_USAGE;
	}
	for (k = 0; k < nb_cases && ret == TO_EXIT_OK; k++) {
		fprintf(f, "%s", k == 0 ? "" : "\n");
		if (to_options_dump(f, &cases[k]) != 0)
			ret = TO_EXIT_USAGE;
	}
	if (fclose(f) != 0 && ret == TO_EXIT_OK) {
		to_err("--dry-run: out of memory");
		ret = TO_EXIT_USAGE;
	}
	if (ret == TO_EXIT_OK)
		fputs(text, stdout);
	free(text);
	return ret;
}

int
main(int argc, char **argv)
{
	struct to_options base, *cases = &base;
	unsigned int nb_cases = 1, k;
	struct to_run g;
	int16_t (*dev_ids)[TO_MAX_DEVS] = NULL;
	int sep, ret;

	/* EAL options come first, ours after "--". */
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	if (sep < argc)
		argv[sep] = argv[0];	/* our getopt sees a program name first */
	ret = to_options_parse(&base, &g, sep < argc ? argc - sep : 1, &argv[sep < argc ? sep : 0]);
	if (ret > 0)
		return TO_EXIT_OK;	/* --help */
	if (ret < 0)
		return TO_EXIT_USAGE;
	if (g.config[0] != '\0' && to_config_load(g.config, &base, &cases, &nb_cases) != 0)
		return TO_EXIT_USAGE;
	if (to_output_check(&g) != 0) {
		ret = TO_EXIT_USAGE;
		goto free_cases;
	}

	if (g.dry_run) {
		ret = dry_run(cases, nb_cases);
		goto free_cases;
	}
	dev_ids = calloc(nb_cases, sizeof(*dev_ids));
	if (dev_ids == NULL) {
		to_err("out of memory");
		ret = TO_EXIT_USAGE;
		goto free_cases;
	}
	stop_signals_catch();
	ret = rte_eal_init(sep, argv);
	if (ret < 0) {
		bool no_huge = false;

		for (k = 1; k < (unsigned int)sep; k++)
			no_huge |= strcmp(argv[k], "--no-huge") == 0;
		/* EAL says EACCES ("Permission denied") when it found no hugepage. */
		to_err("EAL initialisation failed: %s%s", rte_strerror(rte_errno),
			!no_huge && free_hugepages() == 0 ? " (no free hugepage of the default"
			" size: reserve some, see devtools/setup-debian.sh, or give EAL"
			" --no-huge)" : "");
		ret = TO_EXIT_USAGE;
		goto free_cases;
	}

	/* Every case's lcore and devices first: bad input fails before any run. */
	ret = TO_EXIT_USAGE;
	for (k = 0; k < nb_cases; k++)
		if (group_check(&g, &cases[k], dev_ids[k]) != 0)
			goto cleanup;
	/*
	 * Opened as the first case starts: a run refused before (pools EAL
	 * cannot allocate, a device the group cannot use) leaves the files
	 * of an earlier one alone.
	 */
	to_output_arm(&g);

	to_timer_calibrate();
	progress_init(&g, cases, nb_cases);
	ret = TO_EXIT_OK;
	for (k = 0; k < nb_cases && ret == TO_EXIT_OK; k++) {
		to_progress_clear();
		if (g.config[0] != '\0')
			printf("%s=== case %s (%u of %u)\n", k == 0 ? "" : "\n", cases[k].name,
				k + 1, nb_cases);
		ret = run_group(&cases[k], dev_ids[k]);
	}

cleanup:
	rte_eal_cleanup();
	if (to_output_close() != 0 && ret == TO_EXIT_OK)
		ret = TO_EXIT_FAIL;
	if (to_stop_signal) {
		to_progress_clear();
		to_err("stopped by %s: %s", to_stop_signal == SIGINT ? "SIGINT" :
			to_stop_signal == SIGTERM ? "SIGTERM" : "SIGPIPE",
			to_output_started() ? "the cases done before it are in the table and"
			" the output files, whole; the one it cut short is not" :
			"before the first case: no output file was written (any of an earlier"
			" run is as it was)");
		ret = TO_EXIT_SIGNAL(to_stop_signal);
	}
free_cases:
	free(dev_ids);
	if (cases != &base)
		free(cases);
	return ret;
}
