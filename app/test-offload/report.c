/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Output of dpdk-test-offload: a header naming the conditions, one aligned
 * row per case as it finishes, and one summary line per device comparing
 * it with the submitting core's memcpy (and with the other devices) at
 * the sizes the targets name. Rows are kept so that other writers
 * (CSV, JSON) can be added beside the table. With --rounds, each round's
 * rows are compared with the same round's (measured close in time), and
 * the summary gives the median of those ratios and their range. Main
 * lcore only.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_memzone.h>

#include <ocopy.h>

#include "main.h"

struct row {
	enum to_mode mode;
	char name[TO_CASE_NAME_LEN];	/**< the dmadev, or the offload label */
	char label[32];		/**< the size, or the distribution's name */
	uint32_t size;
	unsigned int round;
	struct to_result r;
};

/* The rows of the current case group: every mode, size and round. */
static struct row *rows;
static unsigned int nb_rows, max_rows;

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
	case TO_VERIFY_PASS:
		return "pass (every copy, after each pass over the pools, not timed)";
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
	else if (mode == TO_MODE_OFFLOAD)
		snprintf(buf, len, "%s", name);	/* to_offload_label() */
	else
		snprintf(buf, len, "%s", to_mode_name(mode));
}

/*
 * The label of offload configuration `variant` (--offload): "offload"
 * when there is one, "offload:ARGS" when there are several.
 */
const char *
to_offload_label(const struct to_options *o, unsigned int variant)
{
	static char labels[TO_MAX_OFFLOADS][TO_CASE_NAME_LEN];

	if (o->nb_offloads <= 1)
		return "offload";
	snprintf(labels[variant], sizeof(labels[variant]), "offload:%s",
		o->offloads[variant]);
	return labels[variant];
}

int
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
	/* The summary compares the rows of this case group only. */
	to_report_end();
	max_rows = o->nb_sizes * o->rounds * (o->modes[TO_MODE_CPU] +
		(o->modes[TO_MODE_OFFLOAD] ? RTE_MAX(o->nb_offloads, 1u) : 0) +
		(o->modes[TO_MODE_DMA] ? o->nb_devs : 0));
	rows = calloc(RTE_MAX(max_rows, 1u), sizeof(*rows));
	if (rows == NULL) {
		to_err("no memory for the results of %u cases", max_rows);
		max_rows = 0;
		return -ENOMEM;
	}
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
	if (o->rounds > 1)
		printf("  %u rounds, in turns: each round runs every mode and size once; the\n"
			"  summary compares each round's figures with the same round's\n",
			o->rounds);
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
	printf("  path (offload) = %% of ops the library ran on the cpu / an engine / split,\n"
		"  then its placement at the end of the run (engines, threshold, help, cpu)\n"
		"  and the placement changes cpu_help=auto kept during it, if any.\n\n");
	printf("%-20s %7s %11s %8s %7s %7s %7s %7s %8s %8s %5s %11s %20s  %s\n", "mode", "size",
		"ops", "Mops", "GB/s", "cyc/op", "enq/op", "cpl/op", "idle/op", "ops/poll",
		"long", "verified", "latency us", "path");
	fflush(stdout);
	return 0;
}

/* Before each round's cases: a line saying which, when there are several. */
void
to_report_round(const struct to_options *o, unsigned int round)
{
	if (o->rounds == 1)
		return;
	to_progress_clear();
	printf("round %u of %u\n", round, o->rounds);
	fflush(stdout);
}

/* The case group's rows are no longer needed. */
void
to_report_end(void)
{
	free(rows);
	rows = NULL;
	nb_rows = 0;
	max_rows = 0;
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

const char *
to_placement_name(int placement)
{
	if (placement == TO_PLACE_NONE)
		return "";
	if (placement == TO_PLACE_MIXED)
		return "mixed";
	return ocopy_placement_name((enum ocopy_placement)placement);
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
	char label[TO_LABEL_LEN], size[32], ppoll[16], path[64], lat[48];
	char p50[16], p99[16], p999[16];
	struct to_metrics m;
	int n;

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
	if (m.pct_cpu >= 0) {
		n = snprintf(path, sizeof(path), "%.0f/%.0f/%.0f %s", m.pct_cpu,
			m.pct_engine, m.pct_split, to_placement_name(r->placement));
		if (r->placement_moves != 0 && n > 0 && (size_t)n < sizeof(path))
			snprintf(path + n, sizeof(path) - n, ", %" PRIu64 " move%s",
				r->placement_moves, r->placement_moves == 1 ? "" : "s");
	} else {
		snprintf(path, sizeof(path), "-");
	}
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

	if (worker < 0 && nb_rows < max_rows) {
		rows[nb_rows].mode = c->mode;
		rows[nb_rows].round = c->round;
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
find_row(enum to_mode mode, const char *name, uint32_t size, unsigned int round)
{
	unsigned int i;

	for (i = 0; i < nb_rows; i++) {
		if (rows[i].mode == mode && rows[i].size == size && rows[i].round == round &&
				(mode == TO_MODE_CPU || strcmp(rows[i].name, name) == 0))
			return &rows[i];
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median, least and greatest of n figures, one per round. */
struct spread {
	double med;
	double lo;
	double hi;
	unsigned int n;
};

/* Of v[0 .. n - 1] (sorted in place); all 0 when n is 0. */
static struct spread
spread_of(double *v, unsigned int n)
{
	struct spread sp = { .n = n };

	if (n == 0)
		return sp;
	qsort(v, n, sizeof(*v), cmp_double);
	sp.lo = v[0];
	sp.hi = v[n - 1];
	sp.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return sp;
}

/* A ratio: "0.80x", or with several rounds "0.80x (0.78-0.83, 3 rounds)". */
static const char *
fmt_ratio(char *buf, size_t len, const struct spread *sp)
{
	if (sp->n <= 1)
		snprintf(buf, len, "%.2fx", sp->med);
	else
		snprintf(buf, len, "%.2fx (%.2f-%.2f, %u rounds)", sp->med, sp->lo, sp->hi,
			sp->n);
	return buf;
}

/*
 * A metric of one row over another's (mode a against mode b), per round
 * in which both ran with b's metric above 0: the ratios' spread, and the
 * medians of each one's metric in *ma and *mb.
 */
static struct spread
round_ratios(const struct to_options *o, enum to_mode a, const char *na, enum to_mode b,
		const char *nb, uint32_t size, double (*metric)(const struct to_result *),
		double *ma, double *mb)
{
	double ratio[TO_MAX_ROUNDS], va[TO_MAX_ROUNDS], vb[TO_MAX_ROUNDS];
	unsigned int r, n = 0;

	for (r = 1; r <= o->rounds; r++) {
		const struct row *ra = find_row(a, na, size, r);
		const struct row *rb = find_row(b, nb, size, r);

		if (ra == NULL || rb == NULL || metric(&rb->r) <= 0)
			continue;
		va[n] = metric(&ra->r);
		vb[n] = metric(&rb->r);
		ratio[n] = va[n] / vb[n];
		n++;
	}
	*ma = spread_of(va, n).med;
	*mb = spread_of(vb, n).med;
	return spread_of(ratio, n);
}

/*
 * Ratio of a device's rate to the cpu's at one size, if both ran; the
 * size as its rows name it (a distribution's case is its name, "imix").
 */
static void
summary_vs_cpu(const struct to_options *o, const char *name, uint32_t size, bool ops_rate)
{
	const struct row *x = find_row(TO_MODE_DMA, name, size, 1);
	struct spread sp;
	char ratio[64];
	double d, c;

	sp = round_ratios(o, TO_MODE_DMA, name, TO_MODE_CPU, NULL, size,
		ops_rate ? mops : gbps, &d, &c);
	if (x == NULL || sp.n == 0)
		return;
	fmt_ratio(ratio, sizeof(ratio), &sp);
	if (ops_rate)
		printf("  %s: %s cpu ops/s (%.3f vs %.3f Mops)\n", x->label, ratio, d, c);
	else
		printf("  %s: %s cpu GB/s (%.3f vs %.3f GB/s)\n", x->label, ratio, d, c);
}

/*
 * The single strategies measured at a size in one round: cpu, then each
 * dma. Their number; the better (by GB/s, above 0) in *best, or NULL.
 */
static unsigned int
single_strategies(const struct to_options *o, uint32_t size, unsigned int round,
		const struct row **alt, const struct row **best)
{
	unsigned int j, nb_alt = 0;

	*best = NULL;
	alt[nb_alt] = find_row(TO_MODE_CPU, "cpu", size, round);
	nb_alt += alt[nb_alt] != NULL;
	for (j = 0; j < o->nb_devs; j++) {
		alt[nb_alt] = find_row(TO_MODE_DMA, o->devs[j], size, round);
		nb_alt += alt[nb_alt] != NULL;
	}
	for (j = 0; j < nb_alt; j++)
		if (gbps(&alt[j]->r) > 0 && (*best == NULL || gbps(&alt[j]->r) > gbps(&(*best)->r)))
			*best = alt[j];
	return nb_alt;
}

/*
 * Offload against the better single strategy (cpu, each dma), per size:
 * in each round against that round's better one, the median of those
 * ratios and their range; the better one named is the one most often so.
 * One offload row of round 1 (off) and its rounds.
 */
static void
summary_offload_row(const struct to_options *o, const struct row *off)
{
	const struct row *alt[TO_MAX_DEVS + 1], *best;
	double ratio[TO_MAX_ROUNDS], g_off[TO_MAX_ROUNDS], g_best[TO_MAX_ROUNDS];
	double cyc[TO_MAX_DEVS + 2][TO_MAX_ROUNDS];
	unsigned int wins[TO_MAX_DEVS + 1];
	char label[TO_LABEL_LEN], txt[64];
	unsigned int j, r, n = 0, nb_alt = 0, top;
	struct spread sp;

	memset(wins, 0, sizeof(wins));
	for (r = 1; r <= o->rounds; r++) {
		const struct row *ro = find_row(TO_MODE_OFFLOAD, off->name, off->size, r);

		if (ro == NULL)
			continue;
		nb_alt = single_strategies(o, off->size, r, alt, &best);
		cyc[0][n] = cyc_op(&ro->r);
		for (j = 0; j < nb_alt; j++)
			cyc[j + 1][n] = cyc_op(&alt[j]->r);
		g_off[n] = gbps(&ro->r);
		if (best == NULL) {
			g_best[n] = 0;
			ratio[n] = 0;
		} else {
			g_best[n] = gbps(&best->r);
			ratio[n] = g_off[n] / g_best[n];
			for (j = 0; j < nb_alt && alt[j] != best; j++)
				;
			wins[j]++;
		}
		n++;
	}
	/* The alternatives are the same in every round: the last's names. */
	for (j = 0, top = 0; j < nb_alt; j++)
		if (wins[j] > wins[top])
			top = j;
	if (nb_alt == 0 || wins[top] == 0) {
		printf("  %7s: %.3f GB/s (nothing to compare with)\n", off->label,
			spread_of(g_off, n).med);
		return;
	}
	/* Only the rounds that had something to compare with. */
	for (r = 0, j = 0; r < n; r++) {
		if (g_best[r] <= 0)
			continue;
		ratio[j] = ratio[r];
		g_best[j] = g_best[r];
		j++;
	}
	sp = spread_of(ratio, j);
	to_mode_label(label, sizeof(label), alt[top]->mode, alt[top]->name);
	printf("  %7s: %.3f GB/s, %s the better single strategy (%s, %.3f GB/s",
		off->label, spread_of(g_off, n).med, fmt_ratio(txt, sizeof(txt), &sp),
		label, spread_of(g_best, j).med);
	if (wins[top] != sp.n)
		printf("; the better in %u of %u rounds", wins[top], sp.n);
	printf(")\n");
	/* What the datapath core pays, beside what it gets. */
	printf("  %7s  submitter cycles/op: %s %.1f", "", off->name,
		spread_of(cyc[0], n).med);
	for (j = 0; j < nb_alt; j++) {
		to_mode_label(label, sizeof(label), alt[j]->mode, alt[j]->name);
		printf(", %s %.1f", label, spread_of(cyc[j + 1], n).med);
	}
	printf("\n");
}

/*
 * Every offload row against the single strategies, by configuration (the
 * rows of several run in turn, --order size interleaving them): each
 * configuration's lines under its label.
 */
static void
summary_offload(const struct to_options *o)
{
	unsigned int i, v;

	printf("\nsummary: offload against the better of cpu and each engine alone (GB/s),"
		" and the submitter's cycles per copy of each\n");
	for (v = 0; v < RTE_MAX(o->nb_offloads, 1u); v++) {
		const char *variant = to_offload_label(o, v);

		if (o->nb_offloads > 1)
			printf("  %s\n", variant);
		for (i = 0; i < nb_rows; i++)
			if (rows[i].mode == TO_MODE_OFFLOAD && rows[i].round == 1 &&
					strcmp(rows[i].name, variant) == 0)
				summary_offload_row(o, &rows[i]);
	}
}

/*
 * Several offload configurations (--offload given more than once): each
 * one against the first, per size, GB/s, round by round.
 */
static void
summary_offload_variants(const struct to_options *o)
{
	const char *first = to_offload_label(o, 0);
	char txt[64];
	struct spread sp;
	unsigned int v, i;
	double a, b;

	printf("\nsummary: each offload configuration against the first, %s (GB/s)\n",
		first);
	for (v = 1; v < o->nb_offloads; v++) {
		const char *label = to_offload_label(o, v);

		printf("  %s\n", label);
		for (i = 0; i < nb_rows; i++) {
			const struct row *x = &rows[i];

			if (x->mode != TO_MODE_OFFLOAD || x->round != 1 ||
					strcmp(x->name, label) != 0)
				continue;
			sp = round_ratios(o, TO_MODE_OFFLOAD, label, TO_MODE_OFFLOAD, first,
				x->size, gbps, &a, &b);
			if (sp.n == 0)
				continue;
			printf("  %7s: %s (%.3f vs %.3f GB/s)\n", x->label,
				fmt_ratio(txt, sizeof(txt), &sp), a, b);
		}
	}
}

static double
enq_op(const struct to_result *r)
{
	return r->ops ? (double)r->enq_cycles / r->ops : 0;
}

static double
cpl_op(const struct to_result *r)
{
	return r->ops ? (double)r->cpl_cycles / r->ops : 0;
}

static double
idle_op(const struct to_result *r)
{
	return r->ops ? (double)r->idle_cycles / r->ops : 0;
}

/* The median over the rounds of a metric of a mode's row at a size. */
static double
median_of(const struct to_options *o, enum to_mode mode, const char *name, uint32_t size,
		double (*metric)(const struct to_result *))
{
	double v[TO_MAX_ROUNDS];
	unsigned int r, n = 0;

	for (r = 1; r <= o->rounds; r++) {
		const struct row *x = find_row(mode, name, size, r);

		if (x != NULL)
			v[n++] = metric(&x->r);
	}
	return spread_of(v, n).med;
}

void
to_report_summary(const struct to_options *o)
{
	const uint32_t small = 64, mid = 64 * 1024, large = 1024 * 1024;
	char ratio[64];
	struct spread sp;
	double a, b;
	unsigned int i, j;

	to_progress_clear();
	if (o->modes[TO_MODE_OFFLOAD])
		summary_offload(o);
	if (o->modes[TO_MODE_OFFLOAD] && o->nb_offloads > 1)
		summary_offload_variants(o);
	if (!o->modes[TO_MODE_DMA])
		return;
	printf("\nsummary:\n");
	for (i = 0; i < o->nb_devs; i++) {
		const char *name = o->devs[i];

		printf("dma:%s\n", name);
		/* A distribution: one case of mixed sizes, by bytes moved. */
		if (o->dist != TO_DIST_FIXED) {
			summary_vs_cpu(o, name, o->sizes[0], false);
			continue;
		}
		summary_vs_cpu(o, name, small, true);
		for (j = 0; j < o->nb_devs; j++) {
			if (j == i)
				continue;
			sp = round_ratios(o, TO_MODE_DMA, name, TO_MODE_DMA, o->devs[j], small,
				mops, &a, &b);
			if (sp.n != 0)
				printf("  64 B: %s %s ops/s (%.3f vs %.3f Mops)\n",
					fmt_ratio(ratio, sizeof(ratio), &sp), o->devs[j], a, b);
		}
		if (find_row(TO_MODE_DMA, name, small, 1) != NULL)
			printf("  64 B: %.1f submitter cycles/op (enqueue+submit %.1f, completion"
				" %.1f; +%.1f idle-poll cycles/op)%s\n",
				median_of(o, TO_MODE_DMA, name, small, cyc_op),
				median_of(o, TO_MODE_DMA, name, small, enq_op),
				median_of(o, TO_MODE_DMA, name, small, cpl_op),
				median_of(o, TO_MODE_DMA, name, small, idle_op),
				o->rounds > 1 ? ", medians of the rounds" : "");
		summary_vs_cpu(o, name, mid, false);
		summary_vs_cpu(o, name, large, false);
	}
	fflush(stdout);
}
