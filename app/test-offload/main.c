/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dpdk-test-offload: EAL start-up, the working-set pools, the case loop and
 * the exit status.
 *
 * The command line after "--" is parsed before EAL starts, so bad input
 * fails fast. Cases run mode-major: all sizes on the cpu, then each
 * device in turn, configured and started once for all its sizes and
 * stopped after them, so only one engine runs at a time. Each case
 * refills the pools, runs an unmeasured, verified warm-up, then the
 * measured run, on the submitter lcore (the main lcore, or --lcore). The
 * first failing case ends the run with TO_EXIT_FAIL.
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

	fflush(stdout);
	fprintf(stderr, "dpdk-test-offload: error: ");
	if (to_err_context != NULL)
		fprintf(stderr, "%s: ", to_err_context);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static int
pool_alloc(struct to_pool *p, const char *name, uint64_t len, int socket)
{
	const struct rte_memzone *mz;
	struct rte_malloc_socket_stats st;
	char sz[32];

	mz = rte_memzone_reserve_aligned(name, len, socket, RTE_MEMZONE_IOVA_CONTIG,
			RTE_PGSIZE_4K);
	if (mz == NULL) {
		to_format_size(sz, sizeof(sz), len);
		to_err("cannot allocate the %s pool, %s (--working-set) of IOVA-contiguous memory"
			" on socket %d: %s", name, sz, socket, rte_strerror(rte_errno));
		if (rte_malloc_get_socket_stats(socket, &st) == 0)
			to_err("socket %d heap: %zu MiB free, largest free block %zu MiB; raise EAL -m"
				" (or the hugepages) to at least twice the working set plus some, or"
				" lower --working-set", socket, st.heap_freesz_bytes >> 20,
				st.greatest_free_size >> 20);
		return -ENOMEM;
	}
	if (mz->iova == RTE_BAD_IOVA) {
		to_err("the %s pool has no IOVA: use EAL --iova-mode=va", name);
		rte_memzone_free(mz);
		return -EINVAL;
	}
	p->va = mz->addr;
	p->iova = mz->iova;
	p->len = len;
	p->mz = mz;
	return 0;
}

static void
pool_free(struct to_pool *p)
{
	if (p->mz != NULL)
		rte_memzone_free(p->mz);
	p->mz = NULL;
}

/* --dist: the sizes of the ops of every case of the group (dist.c). */
static uint32_t size_tab[TO_DIST_TAB];

/* Latency recording, allocated per case group (lat.c). */
static struct to_hist *lat_hist;
static uint64_t *lat_ts;
static uint32_t lat_mask;

static int
lat_alloc(const struct to_options *o, int socket)
{
	uint32_t n = rte_align32pow2(o->ring);

	lat_hist = rte_zmalloc_socket("to_hist", sizeof(*lat_hist), 0, socket);
	lat_ts = rte_malloc_socket("to_lat_ts", n * sizeof(*lat_ts), 0, socket);
	if (lat_hist == NULL || lat_ts == NULL) {
		to_err("cannot allocate the latency histogram");
		return -ENOMEM;
	}
	lat_mask = n - 1;
	return 0;
}

static void
lat_free(void)
{
	rte_free(lat_hist);
	rte_free(lat_ts);
	lat_hist = NULL;
	lat_ts = NULL;
}

struct launch_arg {
	struct to_case *c;
	struct to_result *r;
	bool flush;	/* evict the caches first (--flush-cache) */
};

static int
case_on_lcore(void *arg)
{
	struct launch_arg *a = arg;

	if (a->flush)
		to_flush_caches();
	return to_case_run(a->c, a->r);
}

static int
run_on(unsigned int lcore, struct to_case *c, struct to_result *r, bool flush)
{
	struct launch_arg a = { .c = c, .r = r, .flush = flush };
	int ret;

	if (lcore == rte_get_main_lcore())
		return case_on_lcore(&a);
	ret = rte_eal_remote_launch(case_on_lcore, &a, lcore);
	if (ret != 0) {
		snprintf(r->why, sizeof(r->why), "cannot launch on lcore %u: %s", lcore,
			strerror(-ret));
		r->failed = TO_EXIT_FAIL;
		return ret;
	}
	return rte_eal_wait_lcore(lcore);
}

/* Set up, warm up and measure one case; prints its row. */
static int
run_case(const struct to_options *o, unsigned int lcore, struct to_case *c)
{
	uint64_t hz = rte_get_tsc_hz();
	struct to_result r = { 0 };

	if (o->dist != TO_DIST_FIXED) {
		c->dist = to_dist_name(o);
		c->size_tab = size_tab;
		c->size_mask = TO_DIST_TAB - 1;
	}
	c->stride = RTE_ALIGN_CEIL(c->size, RTE_CACHE_LINE_SIZE);
	c->nb_slots = (uint32_t)RTE_MIN(o->working_set / c->stride, (uint64_t)UINT32_MAX - 1);
	c->nb_slots &= ~UINT32_C(1);
	RTE_VERIFY(c->nb_slots >= 2u * c->burst);
	/* Fewer than nb_slots - 1 in flight: no two share a destination. */
	c->window = RTE_MIN((uint32_t)o->ring, c->nb_slots - 1);
	c->verify = o->verify;
	c->corrupt_op = o->corrupt_op;
	c->lat_every = o->lat_every != TO_LAT_AUTO ? o->lat_every :
		c->size >= TO_LAT_AUTO_SIZE ? 1 : TO_LAT_AUTO_EVERY;
	c->lat_ts = lat_ts;
	c->lat_mask = lat_mask;
	c->hist = lat_hist;
	memset(&c->enq_cur, 0, sizeof(c->enq_cur));
	memset(&c->cpl_cur, 0, sizeof(c->cpl_cur));
	c->seq = 0;
	to_pools_fill(c);

	if (o->warmup_s > 0) {
		c->ops = 0;
		c->cycles = (uint64_t)(o->warmup_s * hz);
		if (run_on(lcore, c, &r, false) != 0 || r.failed) {
			to_err("warm-up: %s", r.why);
			return TO_EXIT_FAIL;
		}
	}
	c->ops = o->ops;
	c->cycles = (uint64_t)(o->time_s * hz);
	if (run_on(lcore, c, &r, o->flush_cache) != 0 || r.failed) {
		to_err("%s", r.why);
		return TO_EXIT_FAIL;
	}
	r.maps = c->maps;
	to_report_row(c, &r);
	to_output_row(o, c, &r);
	return TO_EXIT_OK;
}

static int
burst_alloc(struct to_burst *b, uint16_t burst, int socket)
{
	b->s = rte_malloc_socket("to_burst", burst * sizeof(*b->s), 0, socket);
	b->d = rte_malloc_socket("to_burst", burst * sizeof(*b->d), 0, socket);
	b->sp = rte_malloc_socket("to_burst", burst * sizeof(*b->sp), 0, socket);
	b->dp = rte_malloc_socket("to_burst", burst * sizeof(*b->dp), 0, socket);
	b->len = rte_malloc_socket("to_burst", burst * sizeof(*b->len), 0, socket);
	if (b->s == NULL || b->d == NULL || b->sp == NULL || b->dp == NULL || b->len == NULL) {
		to_err("cannot allocate the burst arrays");
		return -ENOMEM;
	}
	return 0;
}

static void
burst_free(struct to_burst *b)
{
	rte_free(b->s);
	rte_free(b->d);
	rte_free(b->sp);
	rte_free(b->dp);
	rte_free(b->len);
}

static struct to_burst burst_buf;

static int
run_cpu(const struct to_options *o, unsigned int lcore, struct to_pool *src,
		struct to_pool *dst)
{
	unsigned int i;
	int ret;

	if (to_services_park(o, NULL) != 0)
		return TO_EXIT_FAIL;
	for (i = 0; i < o->nb_sizes; i++) {
		struct to_case c = {
			.mode = TO_MODE_CPU,
			.name = "cpu",
			.dev_id = -1,
			.size = o->sizes[i],
			.burst = o->burst,
			.src = src,
			.dst = dst,
			.burst_buf = &burst_buf,
		};

		ret = run_case(o, lcore, &c);
		if (ret != TO_EXIT_OK)
			return ret;
	}
	return TO_EXIT_OK;
}

static int
run_dev(const struct to_options *o, unsigned int lcore, const char *name, int16_t dev_id,
		struct to_pool *src, struct to_pool *dst)
{
	uint16_t next_id = 0;
	unsigned int i;
	int ret = TO_EXIT_OK;

	if (to_dev_prepare(o, name, dev_id) != 0)
		return TO_EXIT_USAGE;
	if (to_dev_start(o, name, dev_id) != 0)
		return TO_EXIT_USAGE;
	for (i = 0; i < o->nb_sizes; i++) {
		struct to_case c = {
			.mode = TO_MODE_DMA,
			.name = name,
			.dev_id = dev_id,
			.size = o->sizes[i],
			.burst = o->burst,
			.src = src,
			.dst = dst,
			.burst_buf = &burst_buf,
			/* Job ids start at 0 after rte_dma_start and run on. */
			.next_id = next_id,
		};

		ret = run_case(o, lcore, &c);
		next_id = c.next_id;
		if (ret != TO_EXIT_OK)
			break;
	}
	to_dev_stop(name, dev_id);
	return ret;
}

/*
 * The library over every --dev engine (taken, configured and started by
 * ocopy_create, stopped by ocopy_destroy), one queue, the pools registered
 * for DMA as a user would.
 */
static int
run_offload(const struct to_options *o, unsigned int lcore, const int16_t *dev_ids,
		struct to_pool *src, struct to_pool *dst)
{
	struct to_options svc = *o;
	struct ocopy_map_stats ms;
	struct ocopy_conf conf;
	struct ocopy *oc;
	uint64_t maps = 0;
	unsigned int i;
	int ret = TO_EXIT_OK;

	/* Every engine's worker must run: no parking of theirs. */
	svc.park = false;
	to_services_unpark();
	for (i = 0; i < o->nb_devs; i++)
		if (to_services_park(&svc, o->devs[i]) != 0)
			return TO_EXIT_USAGE;

	ocopy_conf_init(&conf);
	conf.name = "test_offload";
	conf.nb_engines = (uint16_t)o->nb_devs;
	for (i = 0; i < o->nb_devs; i++)
		conf.engines[i] = dev_ids[i];
	conf.ring_size = o->ring;
	conf.queue_size = RTE_MIN(rte_align32pow2(o->ring), (uint32_t)OCOPY_QUEUE_SIZE_MAX);
	conf.socket_id = src->mz != NULL ?
		((const struct rte_memzone *)src->mz)->socket_id : SOCKET_ID_ANY;
	if (ocopy_conf_parse(&conf, o->offload_args) != 0) {
		to_err("--offload '%s': not a valid library configuration (see the log)",
			o->offload_args);
		return TO_EXIT_USAGE;
	}
	oc = ocopy_create(&conf);
	if (oc == NULL) {
		to_err("offload: cannot create the library instance: %s",
			rte_strerror(rte_errno));
		return TO_EXIT_USAGE;
	}
	if (ocopy_mem_register(oc, src->va, src->len) < 0 ||
			ocopy_mem_register(oc, dst->va, dst->len) < 0) {
		to_err("offload: cannot register the pools for DMA");
		ocopy_destroy(oc);
		return TO_EXIT_USAGE;
	}
	for (i = 0; i < ocopy_engine_count(oc); i++) {
		struct ocopy_engine_info info;

		if (ocopy_engine_info_get(oc, i, &info) != 0)
			continue;
		ocopy_map_stats_get(oc, i, &ms);
		maps += ms.maps;
		printf("offload: engine %s: threshold %u B%s, %u submitter cycles/op,"
			" %u cycles/KiB; %" PRIu64 " IOMMU map call(s) for both pools\n",
			info.name, info.threshold, info.calibrated ? " (calibrated)" : "",
			info.op_cycles, info.cyc_per_kib, ms.maps);
	}
	for (i = 0; i < o->nb_sizes; i++) {
		struct to_case c = {
			.mode = TO_MODE_OFFLOAD,
			.name = "offload",
			.dev_id = -1,
			.size = o->sizes[i],
			.burst = o->burst,
			.src = src,
			.dst = dst,
			.burst_buf = &burst_buf,
			.oq = ocopy_queue_get(oc, 0),
			.maps = maps,
		};

		/* Op indexes run on across cases: start where the last ended. */
		c.next_id = (uint16_t)(c.oq->head);
		ret = run_case(o, lcore, &c);
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

/* The checks of one case group that need EAL: its lcore and devices. */
static int
group_check(const struct to_run *g, const struct to_options *o, unsigned int *lcore,
		int16_t *dev_ids)
{
	char ctx[PATH_MAX + TO_NAME_LEN + 8];
	unsigned int i;

	if (g->config[0] != '\0') {
		snprintf(ctx, sizeof(ctx), "%s [%s]", g->config, o->name);
		to_err_context = ctx;
	}
	*lcore = o->lcore < 0 ? rte_get_main_lcore() : (unsigned int)o->lcore;
	if (*lcore != rte_get_main_lcore() && !rte_lcore_is_enabled(*lcore)) {
		to_err("--lcore %u: not an enabled worker lcore (EAL -l; service lcores cannot"
			" submit)", *lcore);
		goto fail;
	}
	for (i = 0; i < o->nb_devs; i++)
		if (to_dev_lookup(o->devs[i], &dev_ids[i]) != 0)
			goto fail;
	if (node_check("--src-node", o->src_node) != 0 ||
			node_check("--dst-node", o->dst_node) != 0)
		goto fail;
	to_err_context = NULL;
	return 0;
fail:
	to_err_context = NULL;
	return -EINVAL;
}

/* One case group: pools, every mode and size, summary. */
static int
run_group(const struct to_options *o, unsigned int lcore, const int16_t *dev_ids)
{
	struct to_pool src = { 0 }, dst = { 0 };
	unsigned int i;
	int ret = TO_EXIT_USAGE, socket, src_node, dst_node;

	socket = (int)rte_lcore_to_socket_id(lcore);
	if (socket == SOCKET_ID_ANY || socket < 0)
		socket = 0;
	src_node = o->src_node >= 0 ? o->src_node : socket;
	dst_node = o->dst_node >= 0 ? o->dst_node : socket;
	if (pool_alloc(&src, "to_src", o->working_set, src_node) != 0 ||
			pool_alloc(&dst, "to_dst", o->working_set, dst_node) != 0 ||
			burst_alloc(&burst_buf, o->burst, socket) != 0 ||
			lat_alloc(o, socket) != 0 ||
			(o->flush_cache && to_flush_alloc() != 0))
		goto out;

	if (o->dist != TO_DIST_FIXED)
		to_dist_table(o, size_tab);
	to_long_cycles = (uint64_t)(o->long_us * rte_get_tsc_hz() / 1e6);
	to_report_header(o, lcore, socket, src_node, dst_node);

	ret = TO_EXIT_OK;
	if (o->modes[TO_MODE_CPU])
		ret = run_cpu(o, lcore, &src, &dst);
	for (i = 0; ret == TO_EXIT_OK && o->modes[TO_MODE_DMA] && i < o->nb_devs; i++)
		ret = run_dev(o, lcore, o->devs[i], dev_ids[i], &src, &dst);
	if (ret == TO_EXIT_OK && o->modes[TO_MODE_OFFLOAD])
		ret = run_offload(o, lcore, dev_ids, &src, &dst);
	if (ret == TO_EXIT_OK)
		to_report_summary(o);
	to_services_unpark();
out:
	to_flush_free();
	lat_free();
	burst_free(&burst_buf);
	memset(&burst_buf, 0, sizeof(burst_buf));
	pool_free(&dst);
	pool_free(&src);
	return ret;
}

int
main(int argc, char **argv)
{
	struct to_options base, *cases = &base;
	unsigned int nb_cases = 1, k;
	struct to_run g;
	unsigned int *lcores = NULL;
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

	if (g.dry_run) {
		for (k = 0; k < nb_cases; k++) {
			printf("%s", k == 0 ? "" : "\n");
			to_options_dump(stdout, &cases[k]);
		}
		ret = TO_EXIT_OK;
		goto free_cases;
	}
	lcores = calloc(nb_cases, sizeof(*lcores));
	dev_ids = calloc(nb_cases, sizeof(*dev_ids));
	if (lcores == NULL || dev_ids == NULL) {
		to_err("out of memory");
		ret = TO_EXIT_USAGE;
		goto free_cases;
	}
	if (to_output_open(&g) != 0) {
		ret = TO_EXIT_USAGE;
		goto close_output;
	}
	ret = rte_eal_init(sep, argv);
	if (ret < 0) {
		to_err("EAL initialisation failed: %s", rte_strerror(rte_errno));
		ret = TO_EXIT_USAGE;
		goto close_output;
	}

	/* Every case's lcore and devices first: bad input fails before any run. */
	ret = TO_EXIT_USAGE;
	for (k = 0; k < nb_cases; k++)
		if (group_check(&g, &cases[k], &lcores[k], dev_ids[k]) != 0)
			goto cleanup;

	to_timer_calibrate();
	ret = TO_EXIT_OK;
	for (k = 0; k < nb_cases && ret == TO_EXIT_OK; k++) {
		if (g.config[0] != '\0')
			printf("%s=== case %s (%u of %u)\n", k == 0 ? "" : "\n", cases[k].name,
				k + 1, nb_cases);
		ret = run_group(&cases[k], lcores[k], dev_ids[k]);
	}

cleanup:
	rte_eal_cleanup();
close_output:
	if (to_output_close() != 0 && ret == TO_EXIT_OK)
		ret = TO_EXIT_FAIL;
free_cases:
	free(dev_ids);
	free(lcores);
	if (cases != &base)
		free(cases);
	return ret;
}
