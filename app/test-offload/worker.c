/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The submitter lcores of a case group (--lcore, --lcores): their
 * resources, their simultaneous runs and the merge of their results.
 *
 * Each worker has its own source and destination pools (a working set
 * each, on --src-node/--dst-node or its own node), burst arrays and latency
 * records, and uses vchan idx of each dmadev and queue idx of the library:
 * nothing is shared on the fast path. The main lcore prepares every
 * worker's case, launches them all (itself last when it is one of them);
 * they meet at a start barrier so that their measured runs overlap, and
 * the main lcore waits for all, then merges: operations, bytes and cycles
 * add up, the wall time is the longest, the latency histograms add up.
 * Cycles per operation of the aggregate are then the average cost of an
 * operation to whichever core submitted it.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_pause.h>

#include "main.h"

/* Start barrier: workers arrived, of how many. Main lcore resets it. */
static uint32_t barrier_in;
static uint32_t barrier_n;

/*
 * Reserve a pool of len bytes on socket; quiet: no error message when
 * memory runs short (the caller tries a smaller default).
 */
static int
pool_alloc(struct to_pool *p, const char *name, uint64_t len, int socket,
		bool quiet, bool given)
{
	const struct rte_memzone *mz;
	struct rte_malloc_socket_stats st;
	char sz[32];

	mz = rte_memzone_reserve_aligned(name, len, socket, RTE_MEMZONE_IOVA_CONTIG,
			RTE_PGSIZE_4K);
	if (mz == NULL) {
		if (quiet)
			return -ENOMEM;
		to_format_size(sz, sizeof(sz), len);
		if (rte_malloc_get_socket_stats(socket, &st) != 0)
			memset(&st, 0, sizeof(st));
		/* One line, as every error; the default named as such. */
		to_err("cannot allocate the %s pool, %s (%s) of IOVA-contiguous memory"
			" on socket %d: %s; its heap has %zu MiB free, the largest block"
			" %zu MiB: raise EAL -m (or the hugepages) to at least twice the"
			" working set per worker plus some, or lower --working-set",
			name, sz, given ? "--working-set" : "the default working set",
			socket, rte_strerror(rte_errno), st.heap_freesz_bytes >> 20,
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
	memset(b, 0, sizeof(*b));
}

static int
worker_alloc(struct to_worker *w, const struct to_options *o, bool quiet)
{
	uint32_t n = rte_align32pow2(o->ring);
	char name[RTE_MEMZONE_NAMESIZE];
	int src_node, dst_node;

	src_node = o->src_node >= 0 ? o->src_node : w->socket;
	dst_node = o->dst_node >= 0 ? o->dst_node : w->socket;
	snprintf(name, sizeof(name), "to_src%u", w->idx);
	if (pool_alloc(&w->src, name, o->working_set, src_node, quiet,
			o->working_set_given) != 0)
		return -ENOMEM;
	snprintf(name, sizeof(name), "to_dst%u", w->idx);
	if (pool_alloc(&w->dst, name, o->working_set, dst_node, quiet,
			o->working_set_given) != 0)
		return -ENOMEM;
	if (burst_alloc(&w->burst, o->burst, w->socket) != 0)
		return -ENOMEM;
	w->hist = rte_zmalloc_socket("to_hist", sizeof(*w->hist), 0, w->socket);
	w->lat_ts = rte_malloc_socket("to_lat_ts", n * sizeof(*w->lat_ts), 0, w->socket);
	w->r = rte_zmalloc_socket("to_result", sizeof(*w->r), 0, w->socket);
	if (w->hist == NULL || w->lat_ts == NULL || w->r == NULL) {
		to_err("cannot allocate the latency records of lcore %u", w->lcore);
		return -ENOMEM;
	}
	w->lat_mask = n - 1;
	return 0;
}

static void
worker_free(struct to_worker *w)
{
	rte_free(w->r);
	rte_free(w->lat_ts);
	rte_free(w->hist);
	burst_free(&w->burst);
	pool_free(&w->dst);
	pool_free(&w->src);
}

/* Every worker's resources, pools of o->working_set; quiet as pool_alloc(). */
static int
workers_alloc(struct to_group *g, const struct to_options *o, bool quiet)
{
	unsigned int i, nb = o->nb_lcores != 0 ? o->nb_lcores : 1;

	memset(g, 0, sizeof(*g));
	g->o = o;
	g->w = rte_zmalloc("to_workers", nb * sizeof(*g->w), 0);
	g->hist_all = rte_zmalloc("to_hist", sizeof(*g->hist_all), 0);
	if (g->w == NULL || g->hist_all == NULL) {
		to_err("cannot allocate the workers");
		return -ENOMEM;
	}
	g->nb = nb;
	for (i = 0; i < nb; i++) {
		struct to_worker *w = &g->w[i];
		int socket;

		w->lcore = o->nb_lcores != 0 ? o->lcores[i] : rte_get_main_lcore();
		w->idx = (uint16_t)i;
		socket = (int)rte_lcore_to_socket_id(w->lcore);
		w->socket = socket == SOCKET_ID_ANY || socket < 0 ? 0 : socket;
		if (worker_alloc(w, o, quiet) != 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The default working set (a few LLCs, options.c) may not fit in the
 * memory EAL has: a large LLC (a server's whole L3 as one VM sees it) and
 * 1 GiB of hugepages. It is then halved until the pools fit, down to
 * to_working_set_floor(), and a note says so. A working set given by the
 * user is taken as it is, or fails.
 */
int
to_workers_alloc(struct to_group *g, struct to_options *o)
{
	const uint64_t want = o->working_set, floor = to_working_set_floor(o);
	char had[32], now[32], llc[32];
	int ret;

	for (;;) {
		bool last = o->working_set_given || o->working_set / 2 < floor;

		ret = workers_alloc(g, o, !last);
		if (ret == 0 || last)
			break;
		to_workers_free(g);
		o->working_set /= 2;
	}
	if (ret != 0 || o->working_set == want)
		return ret;
	to_format_size(had, sizeof(had), want);
	to_format_size(now, sizeof(now), o->working_set);
	to_format_size(llc, sizeof(llc), to_llc_size());
	printf("dpdk-test-offload: note: working set %s per side: the default, %s (for a"
		" last-level cache of %s), does not fit in the memory EAL has; give EAL more"
		" (hugepages, -m) or set --working-set\n", now, had, llc);
	return 0;
}

void
to_workers_free(struct to_group *g)
{
	unsigned int i;

	if (g->w != NULL)
		for (i = 0; i < g->nb; i++)
			worker_free(&g->w[i]);
	rte_free(g->w);
	rte_free(g->hist_all);
	memset(g, 0, sizeof(*g));
}

static int
worker_main(void *arg)
{
	struct to_worker *w = arg;

	if (w->flush)
		to_flush_caches();
	/* Everyone ready: the measured runs overlap. */
	__atomic_fetch_add(&barrier_in, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&barrier_in, __ATOMIC_ACQUIRE) < barrier_n)
		rte_pause();
	return to_case_run(&w->c, w->r);
}

/*
 * Run every worker's case at once. Returns 0, or -1 when one failed (its
 * result's why[] says why; the others still ran to their end).
 */
int
to_workers_run(struct to_group *g, bool flush)
{
	struct to_worker *on_main = NULL;
	unsigned int i;
	int ret, failed = 0;

	__atomic_store_n(&barrier_in, 0, __ATOMIC_RELEASE);
	barrier_n = g->nb;
	for (i = 0; i < g->nb; i++) {
		struct to_worker *w = &g->w[i];

		w->flush = flush;
		memset(w->r, 0, sizeof(*w->r));
		if (w->lcore == rte_get_main_lcore()) {
			on_main = w;
			continue;
		}
		ret = rte_eal_remote_launch(worker_main, w, w->lcore);
		if (ret != 0) {
			/* The barrier would wait for it forever: count it in. */
			__atomic_fetch_add(&barrier_in, 1, __ATOMIC_ACQ_REL);
			snprintf(w->r->why, sizeof(w->r->why), "cannot launch on lcore %u: %s",
				w->lcore, strerror(-ret));
			w->r->failed = TO_EXIT_FAIL;
			failed = 1;
		}
	}
	if (on_main != NULL) {
		worker_main(on_main);
	} else {
		/* The main lcore only waits: keep the progress line fresh. */
		for (i = 0; i < g->nb; i++)
			while (!g->w[i].r->failed &&
					rte_eal_get_lcore_state(g->w[i].lcore) != WAIT) {
				to_progress_tick();
				rte_delay_us_sleep(10000);
			}
	}
	for (i = 0; i < g->nb; i++)
		if (g->w[i].lcore != rte_get_main_lcore() && !g->w[i].r->failed)
			rte_eal_wait_lcore(g->w[i].lcore);
	for (i = 0; i < g->nb; i++)
		failed |= g->w[i].r->failed != 0;
	return failed ? -1 : 0;
}

void
to_workers_merge(struct to_group *g, struct to_result *all)
{
	unsigned int i, b;

	memset(all, 0, sizeof(*all));
	memset(g->hist_all, 0, sizeof(*g->hist_all));
	all->placement = g->w[0].r->placement;
	for (i = 0; i < g->nb; i++) {
		const struct to_result *r = g->w[i].r;
		const struct to_hist *h = g->w[i].hist;

		all->ops += r->ops;
		all->bytes += r->bytes;
		all->wall_cycles = RTE_MAX(all->wall_cycles, r->wall_cycles);
		all->sub_cycles += r->sub_cycles;
		all->enq_cycles += r->enq_cycles;
		all->cpl_cycles += r->cpl_cycles;
		all->idle_cycles += r->idle_cycles;
		all->long_regions += r->long_regions;
		all->long_cycles += r->long_cycles;
		all->polls_hit += r->polls_hit;
		all->polls_idle += r->polls_idle;
		all->verified += r->verified;
		all->lib_cpu += r->lib_cpu;
		all->lib_engine += r->lib_engine;
		all->lib_split += r->lib_split;
		all->errors += r->errors;
		all->maps = r->maps;	/* the instance's: the same in every result */
		all->placement_moves += r->placement_moves;
		if (r->placement != all->placement)
			all->placement = TO_PLACE_MIXED;
		for (b = 0; b < TO_HIST_BUCKETS; b++)
			g->hist_all->n[b] += h->n[b];
		g->hist_all->count += h->count;
	}
	to_hist_result(g->hist_all, all);
}
