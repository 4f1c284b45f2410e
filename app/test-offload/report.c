/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Output of dpdk-test-offload: a header naming the conditions, one aligned
 * row per case as it finishes, and one summary line per device comparing
 * it with the submitting core's memcpy (and with the other devices) at
 * the sizes the targets name. Rows are kept so that other writers
 * (CSV, JSON) can be added beside the table. Main lcore only.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_memzone.h>

#include "main.h"

#define MAX_ROWS	(TO_MAX_SIZES * (TO_MAX_DEVS + 2))	/* cpu, each dev, offload */

struct row {
	enum to_mode mode;
	char name[RTE_DEV_NAME_MAX_LEN];
	char label[32];		/**< the size, or the distribution's name */
	uint32_t size;
	struct to_result r;
};

static struct row rows[MAX_ROWS];
static unsigned int nb_rows;

void
to_format_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes >= (UINT64_C(1) << 30) && bytes % (UINT64_C(1) << 30) == 0)
		snprintf(buf, len, "%" PRIu64 " GiB", bytes >> 30);
	else if (bytes >= (UINT64_C(1) << 20) && bytes % (UINT64_C(1) << 20) == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", bytes >> 20);
	else if (bytes >= (UINT64_C(1) << 10) && bytes % (UINT64_C(1) << 10) == 0)
		snprintf(buf, len, "%" PRIu64 " KiB", bytes >> 10);
	else
		snprintf(buf, len, "%" PRIu64 " B", bytes);
}

static const char *
verify_name(enum to_verify v)
{
	switch (v) {
	case TO_VERIFY_ALL:
		return "all (every copy)";
	case TO_VERIFY_SAMPLE:
		return "sample (1 copy in " RTE_STR(TO_VERIFY_SAMPLE_EVERY) ")";
	default:
		return "off";
	}
}

/* The --mode name of a mode: "cpu", "dma", "offload". */
const char *
to_mode_name(enum to_mode mode)
{
	static const char *const names[TO_MODE_MAX] = {
		[TO_MODE_CPU] = "cpu",
		[TO_MODE_DMA] = "dma",
		[TO_MODE_OFFLOAD] = "offload",
	};

	return names[mode];
}

void
to_mode_label(char *buf, size_t len, enum to_mode mode, const char *name)
{
	if (mode == TO_MODE_DMA)
		snprintf(buf, len, "dma:%s", name);
	else
		snprintf(buf, len, "%s", to_mode_name(mode));
}

void
to_report_header(const struct to_options *o, const struct to_group *g)
{
	const struct to_worker *w0 = &g->w[0];
	int src_node = ((const struct rte_memzone *)w0->src.mz)->socket_id;
	int dst_node = ((const struct rte_memzone *)w0->dst.mz)->socket_id;
	char lcores[256];
	unsigned int i;
	size_t len = 0;
	char ws[32];

	to_progress_clear();
	nb_rows = 0;	/* the summary compares the rows of this case group only */
	to_format_size(ws, sizeof(ws), o->working_set);
	for (i = 0; i < g->nb && len < sizeof(lcores); i++)
		len += snprintf(lcores + len, sizeof(lcores) - len, "%s%u (socket %d)",
			i ? ", " : "", g->w[i].lcore, g->w[i].socket);
	printf("dpdk-test-offload: submitter lcore%s %s, burst %u, ring %u,"
		" working set %s per side (source and destination pools%s),\n"
		"  verify %s, %s per case (+%.2f s unmeasured warm-up)\n",
		g->nb > 1 ? "s" : "", lcores, o->burst, o->ring, ws,
		g->nb > 1 ? " of each worker" : "", verify_name(o->verify),
		o->ops != 0 ? "fixed operation count" : "fixed time", o->warmup_s);
	printf("  source pool on NUMA node %d, destination pool on node %d%s\n", src_node,
		dst_node, o->flush_cache ? "; caches evicted before each measured run" : "");
	if (o->dist != TO_DIST_FIXED) {
		printf("  sizes: %s distribution, mean %.0f B per copy (size:weight by count):",
			to_dist_name(o), to_dist_mean(o));
		for (i = 0; i < o->nb_dist; i++)
			printf(" %u:%u", o->dist_sizes[i], o->dist_weights[i]);
		printf("\n  every mode copies the same sequence of sizes\n");
	}
	if (o->ops != 0)
		printf("  %" PRIu64 " operations per case\n", o->ops);
	else
		printf("  %.2f s per case\n", o->time_s);
	printf("  cpu = libc memcpy() on the submitting lcore. GB/s = bytes copied / wall time,"
		" 1 GB = 1e9 B.\n"
		"  Cycles are TSC cycles (%.0f MHz) of the submitter per operation, less %" PRIu64
		" cycles of timer overhead\n"
		"  per timed region: enq/op inside enqueue+submit (cpu: inside memcpy), cpl/op"
		" inside completed()\n"
		"  calls that returned work, cyc/op = enq/op + cpl/op, idle/op inside completed()"
		" calls that\n"
		"  returned nothing. long = dma timed regions over %.0f us (interrupts), left out"
		" of the cycles.\n"
		"  ops/poll = completions per completed() call that returned work.\n\n",
		rte_get_tsc_hz() / 1e6, to_timer_overhead, o->long_us);
	printf("  latency = completion latency p50/p99/p99.9 in us, from the start of the submit"
		" call to the end of\n  the completion call (cpu: of the burst's memcpy calls); %s.\n",
		o->lat_every == 0 ? "off (--lat-sample 0)" :
		o->lat_every == TO_LAT_AUTO ?
		"every op of " RTE_STR(TO_LAT_AUTO_SIZE) " B and more recorded, one in "
		RTE_STR(TO_LAT_AUTO_EVERY) " below" :
		o->lat_every == 1 ? "every op recorded" : "one op in --lat-sample recorded");
	printf("  path (offload) = %% of ops the library ran on the cpu / an engine / split.\n\n");
	printf("%-20s %7s %11s %8s %7s %7s %7s %7s %8s %8s %5s %11s %20s  %s\n", "mode", "size",
		"ops", "Mops", "GB/s", "cyc/op", "enq/op", "cpl/op", "idle/op", "ops/poll",
		"long", "verified", "latency us", "path");
	fflush(stdout);
}

static double
mops(const struct to_result *r)
{
	return r->wall_cycles ? r->ops / ((double)r->wall_cycles / rte_get_tsc_hz()) / 1e6 : 0;
}

static double
gbps(const struct to_result *r)
{
	return r->wall_cycles ? r->bytes / ((double)r->wall_cycles / rte_get_tsc_hz()) / 1e9 : 0;
}

/* The size column: "4 KiB", or the distribution and its mean, "imix". */
void
to_case_size_label(char *buf, size_t len, const struct to_case *c)
{
	if (c->dist != NULL)
		snprintf(buf, len, "%s", c->dist);
	else
		to_format_size(buf, len, c->size);
}

void
to_metrics_get(const struct to_case *c, const struct to_result *r, struct to_metrics *m)
{
	double ops = r->ops ? (double)r->ops : 1;

	m->seconds = (double)r->wall_cycles / rte_get_tsc_hz();
	m->mops = mops(r);
	m->gbps = gbps(r);
	m->cyc_op = r->sub_cycles / ops;
	m->enq_op = r->enq_cycles / ops;
	m->cpl_op = r->cpl_cycles / ops;
	m->idle_op = r->idle_cycles / ops;
	m->ops_poll = c->mode != TO_MODE_CPU && r->polls_hit != 0 ?
		(double)r->ops / r->polls_hit : -1;
	if (c->mode == TO_MODE_OFFLOAD) {
		m->pct_cpu = 100.0 * r->lib_cpu / ops;
		m->pct_engine = 100.0 * r->lib_engine / ops;
		m->pct_split = 100.0 * r->lib_split / ops;
	} else {
		m->pct_cpu = m->pct_engine = m->pct_split = -1;
	}
	if (r->lat_samples != 0) {
		m->lat_p50_us = r->lat_p50 * 1e6 / rte_get_tsc_hz();
		m->lat_p99_us = r->lat_p99 * 1e6 / rte_get_tsc_hz();
		m->lat_p999_us = r->lat_p999 * 1e6 / rte_get_tsc_hz();
	} else {
		m->lat_p50_us = m->lat_p99_us = m->lat_p999_us = -1;
	}
}

/* 3 significant digits, 0.001 us at least. */
static void
fmt_us(char *buf, size_t len, double us)
{
	if (us >= 100)
		snprintf(buf, len, "%.0f", us);
	else if (us >= 10)
		snprintf(buf, len, "%.1f", us);
	else if (us >= 1)
		snprintf(buf, len, "%.2f", us);
	else
		snprintf(buf, len, "%.3f", us);
}

/* worker: the lcore of a per-worker row (indented, not kept for the
 * summaries), -1 for the aggregate of all workers.
 */
void
to_report_row(const struct to_case *c, const struct to_result *r, int worker)
{
	char label[RTE_DEV_NAME_MAX_LEN + 8], size[32], ppoll[16], path[48], lat[48];
	char p50[16], p99[16], p999[16];
	struct to_metrics m;

	to_progress_clear();
	to_metrics_get(c, r, &m);
	if (worker >= 0)
		snprintf(label, sizeof(label), "  lcore %d", worker);
	else
		to_mode_label(label, sizeof(label), c->mode, c->name);
	to_case_size_label(size, sizeof(size), c);
	if (m.ops_poll >= 0)
		snprintf(ppoll, sizeof(ppoll), "%.1f", m.ops_poll);
	else
		snprintf(ppoll, sizeof(ppoll), "-");
	if (m.pct_cpu >= 0)
		snprintf(path, sizeof(path), "%.0f/%.0f/%.0f", m.pct_cpu, m.pct_engine,
			m.pct_split);
	else
		snprintf(path, sizeof(path), "-");
	if (m.lat_p50_us >= 0) {
		fmt_us(p50, sizeof(p50), m.lat_p50_us);
		fmt_us(p99, sizeof(p99), m.lat_p99_us);
		fmt_us(p999, sizeof(p999), m.lat_p999_us);
		snprintf(lat, sizeof(lat), "%s/%s/%s", p50, p99, p999);
	} else {
		snprintf(lat, sizeof(lat), "-");
	}
	printf("%-20s %7s %11" PRIu64 " %8.3f %7.3f %7.1f %7.1f %7.1f %8.1f %8s %5" PRIu64
		" %11" PRIu64 " %20s  %s\n",
		label, size, r->ops, m.mops, m.gbps, m.cyc_op, m.enq_op, m.cpl_op, m.idle_op,
		ppoll, r->long_regions, r->verified, lat, path);
	fflush(stdout);

	if (worker < 0 && nb_rows < MAX_ROWS) {
		rows[nb_rows].mode = c->mode;
		snprintf(rows[nb_rows].name, sizeof(rows[nb_rows].name), "%s", c->name);
		rows[nb_rows].size = c->size;
		snprintf(rows[nb_rows].label, sizeof(rows[nb_rows].label), "%s", size);
		rows[nb_rows].r = *r;
		nb_rows++;
	}
}

static double
cyc_op(const struct to_result *r)
{
	return r->ops ? (double)r->sub_cycles / r->ops : 0;
}

static const struct row *
find_row(enum to_mode mode, const char *name, uint32_t size)
{
	unsigned int i;

	for (i = 0; i < nb_rows; i++) {
		if (rows[i].mode == mode && rows[i].size == size &&
				(mode == TO_MODE_CPU || strcmp(rows[i].name, name) == 0))
			return &rows[i];
	}
	return NULL;
}

/* Ratio of a device's rate to the cpu's at one size, if both ran. */
static void
summary_vs_cpu(const char *name, uint32_t size, bool ops_rate)
{
	const struct row *d = find_row(TO_MODE_DMA, name, size);
	const struct row *c = find_row(TO_MODE_CPU, NULL, size);
	char sz[32];

	if (d == NULL || c == NULL)
		return;
	to_format_size(sz, sizeof(sz), size);
	if (ops_rate)
		printf("  %s: %.2fx cpu ops/s (%.3f vs %.3f Mops)", sz,
			mops(&c->r) > 0 ? mops(&d->r) / mops(&c->r) : 0, mops(&d->r), mops(&c->r));
	else
		printf("  %s: %.2fx cpu GB/s (%.3f vs %.3f GB/s)", sz,
			gbps(&c->r) > 0 ? gbps(&d->r) / gbps(&c->r) : 0, gbps(&d->r), gbps(&c->r));
	printf("\n");
}

/* Offload against the better single strategy (cpu, each dma), per size. */
static void
summary_offload(const struct to_options *o)
{
	const struct row *alt[TO_MAX_DEVS + 1];
	char label[RTE_DEV_NAME_MAX_LEN + 8];
	unsigned int i, j, nb_alt;

	printf("\nsummary: offload against the better of cpu and each engine alone (GB/s),"
		" and the submitter's cycles per copy of each\n");
	for (i = 0; i < nb_rows; i++) {
		const struct row *off = &rows[i], *best = NULL;

		if (off->mode != TO_MODE_OFFLOAD)
			continue;
		/* The single strategies measured at this size: cpu, then each dma. */
		nb_alt = 0;
		alt[nb_alt] = find_row(TO_MODE_CPU, "cpu", off->size);
		nb_alt += alt[nb_alt] != NULL;
		for (j = 0; j < o->nb_devs; j++) {
			alt[nb_alt] = find_row(TO_MODE_DMA, o->devs[j], off->size);
			nb_alt += alt[nb_alt] != NULL;
		}
		for (j = 0; j < nb_alt; j++)
			if (best == NULL || gbps(&alt[j]->r) > gbps(&best->r))
				best = alt[j];
		if (best == NULL || gbps(&best->r) <= 0) {
			printf("  %7s: %.3f GB/s (nothing to compare with)\n", off->label,
				gbps(&off->r));
			continue;
		}
		to_mode_label(label, sizeof(label), best->mode, best->name);
		printf("  %7s: %.3f GB/s, %.2fx the better single strategy (%s, %.3f GB/s)\n",
			off->label, gbps(&off->r), gbps(&off->r) / gbps(&best->r), label,
			gbps(&best->r));
		/* What the datapath core pays, beside what it gets. */
		printf("  %7s  submitter cycles/op: offload %.1f", "", cyc_op(&off->r));
		for (j = 0; j < nb_alt; j++) {
			to_mode_label(label, sizeof(label), alt[j]->mode, alt[j]->name);
			printf(", %s %.1f", label, cyc_op(&alt[j]->r));
		}
		printf("\n");
	}
}

void
to_report_summary(const struct to_options *o)
{
	const uint32_t small = 64, mid = 64 * 1024, large = 1024 * 1024;
	unsigned int i, j;

	to_progress_clear();
	if (o->modes[TO_MODE_OFFLOAD])
		summary_offload(o);
	if (!o->modes[TO_MODE_DMA])
		return;
	printf("\nsummary:\n");
	for (i = 0; i < o->nb_devs; i++) {
		const char *name = o->devs[i];
		const struct row *d64 = find_row(TO_MODE_DMA, name, small);

		printf("dma:%s\n", name);
		summary_vs_cpu(name, small, true);
		for (j = 0; j < o->nb_devs && d64 != NULL; j++) {
			const struct row *other = find_row(TO_MODE_DMA, o->devs[j], small);

			if (j == i || other == NULL || mops(&other->r) <= 0)
				continue;
			printf("  64 B: %.2fx %s ops/s (%.3f vs %.3f Mops)\n",
				mops(&d64->r) / mops(&other->r), o->devs[j], mops(&d64->r),
				mops(&other->r));
		}
		if (d64 != NULL && d64->r.ops != 0)
			printf("  64 B: %.1f submitter cycles/op (enqueue+submit %.1f, completion"
				" %.1f; +%.1f idle-poll cycles/op)\n",
				(double)d64->r.sub_cycles / d64->r.ops,
				(double)d64->r.enq_cycles / d64->r.ops,
				(double)d64->r.cpl_cycles / d64->r.ops,
				(double)d64->r.idle_cycles / d64->r.ops);
		summary_vs_cpu(name, mid, false);
		summary_vs_cpu(name, large, false);
	}
	fflush(stdout);
}
